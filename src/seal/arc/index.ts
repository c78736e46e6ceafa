// Track A (few-shot ARC) as the worker runs it: a request names the tasks and the user's settings; the settings
// resolve against the model's seal_lab.json "arc" block and the paper's values (config.ts arcConfig).
import { itemIds, type RunItems, type TrackModule } from '../core/module.ts';
import { SealLoop, type RunResult } from '../core/loop.ts';
import { arcConfig, ArcOverrides, type ArcConfig, type ArcUserSettings } from './config.ts';
import { runArcExperiment } from './run.ts';
import { arcTrack } from './track.ts';
import { resolveTaskSet, type TaskSet, type TaskSource } from './task_set.ts';
import type { ArcEvent, ArcRollout } from './types.ts';

export interface ArcRunRequest {
  track: 'arc';
  tasks: TaskSource;
  /** Cap on tasks per role (short runs, demos). */
  maxTrain?: number;
  maxEval?: number;
  config: ArcUserSettings;
}

export type ArcRunResult = RunResult<ArcRollout> & RunItems & { track: 'arc'; config: ArcConfig };

export const arcModule: TrackModule<'arc', ArcOverrides, ArcRunRequest, ArcRunResult, ArcEvent, ArcRollout, ArcConfig, TaskSet> = {
  name: 'arc',
  labSchema: ArcOverrides,
  resolve: (lab, req) => ({ config: arcConfig(lab ?? {}, req.config), items: resolveTaskSet(req.tasks, req) }),
  async run(env, req) {
    const { config: cfg, items: tasks } = this.resolve(env.lab, req);
    const result = await runArcExperiment({ ...env, cfg }, tasks, env.journal);
    return { ...result, track: 'arc', config: cfg, items: itemIds(tasks) };
  },
  apply(env, { config, items }, edit) {
    const ctx = { ...env, cfg: config };
    return SealLoop.applyOutsideRun(ctx, arcTrack(ctx), items, edit);
  },
  modifiesBase: (req) => (req.config.rounds ?? 1) > 0,
};
