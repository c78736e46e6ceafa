// The settings Track B's panels describe: the run's own when the last run was a knowledge run, else what a run
// would use now (the user's settings ∘ the model's seal_lab.json ∘ the paper's).
import { knowledgeSettings, type KnowledgeConfig, type KnowledgeOverrides } from '../../seal/knowledge/config.ts';
import type { RunSetup } from '../../store/saved_runs.ts';
import { useLab } from '../../store/lab.ts';
import type { LabState } from '../../store/state.ts';
import { memoOn } from '../track_ui.ts';

export type KnowledgeSetup = { track: 'knowledge'; config: KnowledgeConfig; references: boolean };

export const knowledgeSetupNow = memoOn(
  (s: LabState): [LabState['knowledge'], KnowledgeOverrides | undefined, RunSetup | null] => [s.knowledge, s.model.info?.sealLab?.knowledge, s.run.setup],
  (knowledge, lab, run): KnowledgeSetup => {
    if (run?.track === 'knowledge') {
      return { track: 'knowledge', config: run.config, references: run.items.eval.length > 0 && run.items.eval.every((p) => p.reference !== null) };
    }
    const references = knowledge.choice.kind === 'mini' || knowledge.choice.references !== undefined;
    return { track: 'knowledge', config: knowledgeSettings(lab, knowledge.settings).config, references };
  });

export const useKnowledgeSetup = (): KnowledgeSetup => useLab(knowledgeSetupNow);
