// Track A's names for the results table, the step panel and the exports, with the paper's Table 1.
import { rounds, type TrackLabels } from '../core/labels.ts';
import type { ArcConfig } from './config.ts';
import { describeSelfEdit } from './self_edit.ts';
import { ARC_TABLE1, isArcMethod, type ArcRollout } from './types.ts';

export const arcLabels: TrackLabels<ArcRollout, ArcConfig> = {
  paperTable: 'Table 1 (Llama-3.2-1B on ARC)',
  metric: 'success',
  items: ['training tasks', 'evaluation tasks'],
  embeddedModel: 'models/seal-mini-arc/',
  methods: { icl: 'ICL', 'no-rl': 'TTT no-RL', oracle: 'Oracle TTT', yours: 'Yours' },
  phases: [
    { phase: 'icl', label: 'In-context answer', short: 'ICL' },
    { phase: 'sample-self-edit', label: 'Sample self-edits', short: 'Sample' },
    { phase: 'inner-loop', label: 'Inner loop: LoRA fine-tune', short: 'Inner loop' },
    { phase: 'evaluate', label: 'Evaluate: reward', short: 'Evaluate' },
    { phase: 'select', label: 'ReST-EM E-step: keep rewarded', short: 'Select' },
    { phase: 'sft', label: 'ReST-EM M-step: SFT the generator', short: 'SFT' },
    { phase: 'merge', label: 'Merge into base', short: 'Merge' },
  ],
  paper: (method, round) => (!isArcMethod(method) || method === 'yours' || (method === 'seal' && round !== 1) ? null : ARC_TABLE1[method]),
  selfEdit: (r) => ({
    summary: r.edit ? describeSelfEdit(r.edit) : '', text: r.edit ? JSON.stringify(r.edit) : r.text, full: r.edit ? JSON.stringify(r.edit, null, 2) : r.text,
  }),
  settings: (c, items) => `${rounds(c.rounds)}, ${items.train.length}/${items.eval.length} tasks`,
};
