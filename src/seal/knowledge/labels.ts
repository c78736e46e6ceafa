// Track B's names for the results table, the step panel and the exports, with the paper's Table 2.
import { rounds, type TrackLabels } from '../core/labels.ts';
import type { KnowledgeConfig } from './config.ts';
import { isKnowledgeMethod, KNOWLEDGE_SEAL_ROUNDS, KNOWLEDGE_TABLE2, type KnowledgeRollout } from './types.ts';

export const knowledgeLabels: TrackLabels<KnowledgeRollout, KnowledgeConfig> = {
  paperTable: 'Table 2 (Qwen2.5-7B on SQuAD)',
  metric: 'accuracy',
  items: ['ReST-EM passages', 'held-out passages'],
  embeddedModel: 'models/seal-mini-bio/',
  methods: {
    base: 'Base', passage: 'Passage', own: 'Own notes', reference: 'Reference', yours: 'Yours',
    'cpt-base': 'CPT base', 'cpt-passage': 'CPT passage', 'cpt-own': 'CPT own', 'cpt-reference': 'CPT ref.', 'cpt-seal': 'CPT SEAL',
  },
  phases: [
    { phase: 'base', label: 'Base model answers', short: 'Base' },
    { phase: 'sample-self-edit', label: 'Write self-edits', short: 'Write' },
    { phase: 'inner-loop', label: 'Inner loop: LoRA on the lines', short: 'Inner loop' },
    { phase: 'evaluate', label: 'Closed-book QA: reward', short: 'QA' },
    { phase: 'select', label: 'ReST-EM: keep the best per passage', short: 'Select' },
    { phase: 'sft', label: 'ReST-EM M-step: SFT the writer', short: 'SFT' },
    { phase: 'merge', label: 'Merge into base', short: 'Merge' },
    { phase: 'cpt', label: 'Continued pre-training', short: 'CPT' },
    { phase: 'forgetting', label: 'Sequential edits (forgetting)', short: 'Forgetting' },
  ],
  paper: (method, round) => (method === 'seal' ? KNOWLEDGE_SEAL_ROUNDS[round] ?? null : isKnowledgeMethod(method) && method !== 'yours' ? KNOWLEDGE_TABLE2[method] : null),
  selfEdit: (r) => {
    const lines = r.notes.split('\n').map((l) => l.trim()).filter(Boolean);
    const summary = r.method === 'passage' ? 'passage only' : lines.length ? `${lines.length} line${lines.length > 1 ? 's' : ''}: ${lines[0]}` : '';
    return { summary, text: r.notes || r.text, full: r.notes || r.text };
  },
  settings: (c, items) => {
    const k = c.evalSelfEditsPerPassage === c.selfEditsPerPassage ? `k ${c.selfEditsPerPassage}` : `k ${c.selfEditsPerPassage} (${c.evalSelfEditsPerPassage} per held-out passage)`;
    return `${rounds(c.rounds)}, ${k}, ${items.train.length}/${items.eval.length} passages`;
  },
};
