// Names the UI and the exports use for methods and phases, and the paper's Table 1 for reference.
import type { Method, PhaseName } from '../seal/events.ts';

export function methodLabel(method: Method, round: number): string {
  switch (method) {
    case 'icl': return 'ICL';
    case 'no-rl': return 'TTT no-RL';
    case 'oracle': return 'Oracle TTT';
    case 'seal': return `SEAL r${round}`;
  }
}

/** Table 1 of the paper (success rate %, Llama-3.2-1B-Instruct on the curated ARC subset). SEAL: after 1 round. */
export const PAPER_TABLE1: Record<'icl' | 'no-rl' | 'seal' | 'oracle', number> = { icl: 0, 'no-rl': 20, seal: 72.5, oracle: 100 };

export const PHASES: Array<{ phase: PhaseName; label: string; short: string }> = [
  { phase: 'icl', label: 'In-context answer', short: 'ICL' },
  { phase: 'sample-self-edit', label: 'Sample self-edits', short: 'Sample' },
  { phase: 'inner-loop', label: 'Inner loop: LoRA fine-tune', short: 'Inner loop' },
  { phase: 'evaluate', label: 'Evaluate: reward', short: 'Evaluate' },
  { phase: 'select', label: 'ReST-EM E-step: keep rewarded', short: 'Select' },
  { phase: 'sft', label: 'ReST-EM M-step: SFT the generator', short: 'SFT' },
  { phase: 'merge', label: 'Merge into base', short: 'Merge' },
];

export function phaseLabel(p: PhaseName): string {
  return PHASES.find((x) => x.phase === p)?.label ?? p;
}
