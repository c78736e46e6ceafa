// The settings Track A's panels describe: the run's own when the last run was an ARC run, else the current ones.
import type { ArcConfig } from '../../seal/arc/config.ts';
import type { ArcSettings } from '../../store/slices/arc.ts';
import type { RunSetup } from '../../store/saved_runs.ts';
import type { LabState } from '../../store/state.ts';
import { memoOn } from '../track_ui.ts';

/** `evalFilter`: how the model's built-in evaluation tasks were filtered, when the mini tasks are in use. */
export type ArcSetup = { track: 'arc'; config: ArcConfig | ArcSettings; evalFilter?: string };

export const arcSetupNow = memoOn(
  (s: LabState): [ArcSettings, RunSetup | null, string | undefined] =>
    [s.arc.settings, s.run.setup, s.arc.choice.kind === 'mini' ? s.model.info?.sealLab?.arc?.evalFilter : undefined],
  (config, run, evalFilter): ArcSetup => ({ track: 'arc', config: run?.track === 'arc' ? run.config : config, evalFilter }));
