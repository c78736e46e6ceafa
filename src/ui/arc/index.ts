// Track A on the main thread: its panels, its results chart (Table 1's rows) and its names, for ../tracks.ts.
import type { TrackUi } from '../track_ui.ts';
import { ArcSetupPanels } from './ArcSetupPanels.tsx';
import { ArcItemPanels } from './ArcItemPanels.tsx';
import { useArcSetup, type ArcSetup } from './setup.ts';
import { arcRunPlan } from './state.ts';

/** The rows of an ARC run (Table 1): ICL, TTT no-RL, SEAL per round, Oracle — those the run measures. */
export function arcRows(cfg: { rounds: number; methods: { icl: boolean; noRl: boolean; oracle: boolean } }): Array<[string, number]> {
  const wanted: Array<[string, number]> = [];
  if (cfg.methods.icl) wanted.push(['icl', 0]);
  if (cfg.methods.noRl) wanted.push(['no-rl', 0]);
  for (let r = 1; r <= cfg.rounds; r++) wanted.push(['seal', r]);
  if (cfg.methods.oracle) wanted.push(['oracle', 0]);
  return wanted;
}

export const arcUi: TrackUi<ArcSetup> = {
  label: 'Track A · Few-shot ARC',
  testId: 'track-a',
  short: 'ARC',
  historyName: 'A · ARC',
  title: 'few-shot ARC (Track A)',
  metric: 'Success rate',
  reward: '1 = task solved',
  pitch: 'The model will write its own training configurations for small grid puzzles, train on them, and learn from the ones that worked.',
  SetupPanels: ArcSetupPanels,
  ItemPanels: ArcItemPanels,
  useSetup: useArcSetup,
  runPlan: arcRunPlan,
  charts: (setup) => [{
    title: 'Success rate by method', testId: 'success-chart', wanted: arcRows(setup.config),
    note: `Share of held-out self-edits that solve their task (ICL: share of tasks).${setup.evalFilter ? ` Evaluation tasks filtered: ${setup.evalFilter}.` : ''}`,
  }],
  forgetting: () => false,
};
