// The settings Track A's panels describe: the run's own when the last run was an ARC run, else the current ones.
import type { ArcConfig } from '../../seal/arc/config.ts';
import { useLab } from '../../store/lab.ts';
import { memoOn } from '../track_ui.ts';
import { useArc, type ArcSettings } from './state.ts';

/** `evalFilter`: how the model's built-in evaluation tasks were filtered, when the mini tasks are in use. */
export type ArcSetup = { track: 'arc'; config: ArcConfig | ArcSettings; evalFilter?: string };

const setupOf = memoOn((...i: [ArcSettings, ArcConfig | null, string | undefined]) => i,
  (config, run, evalFilter): ArcSetup => ({ track: 'arc', config: run ?? config, evalFilter }));

export function useArcSetup(): ArcSetup {
  const settings = useArc((s) => s.settings);
  const mini = useArc((s) => s.choice.kind === 'mini');
  const run = useLab((s) => (s.run.setup?.track === 'arc' ? s.run.setup.config : null));
  const filter = useLab((s) => s.model.info?.sealLab?.arc?.evalFilter);
  return setupOf(settings, run, mini ? filter : undefined);
}
