// The settings Track B's panels describe: the run's own when the last run was a knowledge run, else what a run
// would use now (the user's settings ∘ the model's seal_lab.json ∘ the paper's).
import { knowledgeSettings, type KnowledgeConfig, type KnowledgeOverrides } from '../../seal/knowledge/config.ts';
import type { RunSetup } from '../../store/saved_runs.ts';
import { useLab } from '../../store/lab.ts';
import { memoOn } from '../track_ui.ts';
import { useKnowledge, type KnowledgeState } from './state.ts';

export type KnowledgeSetup = { track: 'knowledge'; config: KnowledgeConfig; references: boolean };

const setupOf = memoOn((...i: [KnowledgeState['choice'], KnowledgeState['settings'], KnowledgeOverrides | undefined, RunSetup | null]) => i,
  (choice, settings, lab, run): KnowledgeSetup => {
    if (run?.track === 'knowledge') {
      return { track: 'knowledge', config: run.config, references: run.items.eval.length > 0 && run.items.eval.every((p) => p.reference !== null) };
    }
    const references = choice.kind === 'mini' || choice.references !== undefined;
    return { track: 'knowledge', config: knowledgeSettings(lab, settings).config, references };
  });

export function useKnowledgeSetup(): KnowledgeSetup {
  const choice = useKnowledge((s) => s.choice);
  const settings = useKnowledge((s) => s.settings);
  const lab = useLab((s) => s.model.info?.sealLab?.knowledge);
  const run = useLab((s) => s.run.setup);
  return setupOf(choice, settings, lab, run);
}
