// The settings the charts and panels describe: the run's own when the last run was of the track on screen, else
// what a run would use now (the track's settings, the model's seal_lab.json, the paper's values).
import { useMemo } from 'react';
import { knowledgeConfig } from '../seal/knowledge/config.ts';
import type { KnowledgeConfig } from '../seal/knowledge/config.ts';
import { useLab } from '../store/lab.ts';
import type { ArcSettings } from '../store/state.ts';
import type { ArcConfig } from '../seal/arc/config.ts';

export type TrackSetup =
  | { track: 'arc'; config: ArcConfig | ArcSettings }
  | { track: 'knowledge'; config: KnowledgeConfig; references: boolean };

export function useTrackSetup(): TrackSetup {
  const setup = useLab((s) => s.run.setup);
  const track = useLab((s) => s.track);
  const arc = useLab((s) => s.arc.settings);
  const knowledge = useLab((s) => s.knowledge);
  const lab = useLab((s) => s.model.info?.sealLab?.knowledge);
  return useMemo((): TrackSetup => {
    if (setup?.track === 'arc' && track === 'arc') return setup;
    if (setup?.track === 'knowledge' && track === 'knowledge') {
      return { ...setup, references: setup.items.eval.length > 0 && setup.items.eval.every((p) => p.reference !== null) };
    }
    if (track === 'arc') return { track, config: arc };
    const { maxTrain: _t, maxEval: _e, ...user } = knowledge.settings;
    const references = knowledge.choice.kind === 'mini' || knowledge.choice.references !== undefined;
    return { track, config: knowledgeConfig(lab, user), references };
  }, [setup, track, arc, knowledge, lab]);
}
