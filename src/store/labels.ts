// Names the UI and the exports use for each track's methods and phases, and the paper's tables beside them.
import { ARC_TABLE1, isArcMethod } from '../seal/arc/experiment.ts';
import { describeSelfEdit } from '../seal/arc/self_edit.ts';
import { isKnowledgeMethod, KNOWLEDGE_SEAL_ROUNDS, KNOWLEDGE_TABLE2 } from '../seal/knowledge/experiment.ts';
import type { TrackName } from '../seal/tracks.ts';
import type { LabRollout } from './derive.ts';

const METHOD_NAMES: Record<string, string> = {
  icl: 'ICL', 'no-rl': 'TTT no-RL', oracle: 'Oracle TTT',
  base: 'Base', passage: 'Passage', own: 'Own notes', reference: 'Reference',
  'cpt-base': 'CPT base', 'cpt-passage': 'CPT passage', 'cpt-own': 'CPT own', 'cpt-reference': 'CPT ref.', 'cpt-seal': 'CPT SEAL',
};

export function methodLabel(method: string, round: number): string {
  return method === 'seal' ? `SEAL r${round}` : (METHOD_NAMES[method] ?? method);
}

/** The paper's number for a method (and round) of a track, where it reports one. */
export function paperValue(track: TrackName, method: string, round: number): number | null {
  if (track === 'arc') return !isArcMethod(method) || (method === 'seal' && round !== 1) ? null : ARC_TABLE1[method];
  if (method === 'seal') return KNOWLEDGE_SEAL_ROUNDS[round] ?? null;
  return isKnowledgeMethod(method) ? KNOWLEDGE_TABLE2[method] : null;
}

export const PAPER_TABLE_NAME: Record<TrackName, string> = { arc: 'Table 1 (Llama-3.2-1B on ARC)', knowledge: 'Table 2 (Qwen2.5-7B on SQuAD)' };

export interface PhaseLabel {
  phase: string;
  label: string;
  short: string;
}

/** The phases of a track's loop, in the order the step panel shows them. */
export const PHASES: Record<TrackName, PhaseLabel[]> = {
  arc: [
    { phase: 'icl', label: 'In-context answer', short: 'ICL' },
    { phase: 'sample-self-edit', label: 'Sample self-edits', short: 'Sample' },
    { phase: 'inner-loop', label: 'Inner loop: LoRA fine-tune', short: 'Inner loop' },
    { phase: 'evaluate', label: 'Evaluate: reward', short: 'Evaluate' },
    { phase: 'select', label: 'ReST-EM E-step: keep rewarded', short: 'Select' },
    { phase: 'sft', label: 'ReST-EM M-step: SFT the generator', short: 'SFT' },
    { phase: 'merge', label: 'Merge into base', short: 'Merge' },
  ],
  knowledge: [
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
};

export function phaseLabel(track: TrackName, p: string): string {
  return PHASES[track].find((x) => x.phase === p)?.label ?? p;
}

/** A rollout's self-edit in one line (the inspector, the CSV) and in full. */
export function selfEditSummary(r: LabRollout): { summary: string; text: string } {
  if (r.track === 'arc') return { summary: r.edit ? describeSelfEdit(r.edit) : '', text: r.edit ? JSON.stringify(r.edit) : r.text };
  const lines = r.notes.split('\n').map((l) => l.trim()).filter(Boolean);
  const summary = r.method === 'passage' ? 'passage only' : lines.length ? `${lines.length} line${lines.length > 1 ? 's' : ''}: ${lines[0]}` : '';
  return { summary, text: r.notes || r.text };
}
