// Track B on the main thread: its panels, its results charts (Table 2's rows, continued pre-training) and its
// names, for ../tracks.ts.
import type { TrackUi } from '../track_ui.ts';
import { KnowledgeItemPanels, KnowledgeSetupPanels } from './KnowledgePanels.tsx';
import { useKnowledgeSetup, type KnowledgeSetup } from './setup.ts';
import { knowledgeRunPlan } from './state.ts';

/** The rows of a knowledge run: Table 2 (base, passage, own, reference, SEAL per round), then continued pre-training. */
export function knowledgeRows(
  cfg: { rounds: number; cptPassages: number; methods: { base: boolean; passage: boolean; own: boolean; reference: boolean } }, references: boolean,
): { single: Array<[string, number]>; cpt: Array<[string, number]> } {
  const m = cfg.methods;
  const single: Array<[string, number]> = [];
  if (m.base) single.push(['base', 0]);
  if (m.passage) single.push(['passage', 0]);
  if (m.own) single.push(['own', 0]);
  if (m.reference && references) single.push(['reference', 0]);
  for (let r = 1; r <= cfg.rounds; r++) single.push(['seal', r]);
  const cpt: Array<[string, number]> = [];
  if (cfg.cptPassages) {
    cpt.push(['cpt-base', 0], ['cpt-passage', 0]);
    if (m.own) cpt.push(['cpt-own', 0]);
    if (references) cpt.push(['cpt-reference', 0]);
    if (cfg.rounds) cpt.push(['cpt-seal', 0]);
  }
  return { single, cpt };
}

export const knowledgeUi: TrackUi<KnowledgeSetup> = {
  label: 'Track B · Knowledge (SQuAD)',
  testId: 'track-b',
  short: 'knowledge',
  historyName: 'B · knowledge',
  title: 'knowledge incorporation (Track B)',
  metric: 'QA accuracy',
  reward: 'the share of its passage\'s questions answered closed-book after the update',
  pitch: 'The model will read new passages, write notes about them, train on its notes, and learn to write notes that make the facts stick.',
  SetupPanels: KnowledgeSetupPanels,
  ItemPanels: KnowledgeItemPanels,
  useSetup: useKnowledgeSetup,
  runPlan: knowledgeRunPlan,
  charts: (setup) => {
    const rows = knowledgeRows(setup.config, setup.references);
    return [
      { title: 'QA accuracy, one passage at a time', testId: 'success-chart', wanted: rows.single,
        note: 'Closed-book accuracy on the held-out passages\' questions after each update (base: no update).' },
      ...(rows.cpt.length ? [{ title: 'Continued pre-training', testId: 'cpt-chart', wanted: rows.cpt, note: 'One adapter over all the passages at once, then every question.' }] : []),
    ];
  },
  forgetting: (setup) => setup.config.forgettingPassages > 0,
};
