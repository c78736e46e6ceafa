// The tracks the lab runs, keyed by name: a worker request becomes a track's run, and a model folder's
// seal_lab.json holds each track's scaled-down settings. The only module that knows every track.
import { z } from 'zod';
import { ModelConfigError } from '../engine/model/errors.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import type { Tokenizer } from '../engine/model/tokenizer.ts';
import { arcConfig, ArcOverrides, type ArcConfig, type ArcUserSettings } from './arc/config.ts';
import { runArcExperiment, type ArcEvent, type ArcRollout } from './arc/experiment.ts';
import { resolveTaskSet, type TaskSource } from './arc/task_set.ts';
import { specialsOf } from './core/context.ts';
import type { RunControl } from './core/control.ts';
import type { RunResult } from './core/loop.ts';

export type TrackName = 'arc';

/** seal_lab.json: what the model is for, and each track's settings for it; unknown fields are errors (typos). */
const SealLabSchema = z.strictObject({
  /** One line for the model card: what this model was made for (e.g. the mini world it knows). */
  about: z.string().optional(),
  arc: ArcOverrides.optional(),
});
export type SealLabFile = z.infer<typeof SealLabSchema>;

export function parseSealLab(raw: unknown, source = 'seal_lab.json'): SealLabFile {
  const r = SealLabSchema.safeParse(raw);
  if (!r.success) throw new ModelConfigError(`${source}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { source });
  return r.data;
}

export interface ArcRunRequest {
  track: 'arc';
  tasks: TaskSource;
  /** Cap on tasks per role (short runs, demos). */
  maxTrain?: number;
  maxEval?: number;
  config: ArcUserSettings;
}

export type SealRunRequest = ArcRunRequest;

/** A run's outcome: its rows and rollouts, the settings it ran with and the items of each role. */
export type SealRunResult = RunResult<ArcRollout> & { track: 'arc'; config: ArcConfig; items: { train: string[]; eval: string[] } };

/** Every event a run of any track emits. */
export type LabEvent = ArcEvent;

export interface RunEnv {
  model: LlamaModel;
  tok: Tokenizer;
  control: RunControl;
  sealLab: SealLabFile | null;
  emit(e: LabEvent): void;
}

export async function runTrack(env: RunEnv, req: SealRunRequest): Promise<SealRunResult> {
  const { model, tok, control } = env;
  const cfg = arcConfig(env.sealLab?.arc ?? {}, req.config);
  const tasks = resolveTaskSet(req.tasks, req);
  const ctx = { model, tok, sp: specialsOf(model, tok), cfg, control, emit: (e: ArcEvent) => env.emit(e) };
  const result = await runArcExperiment(ctx, tasks);
  return { ...result, track: 'arc', config: cfg, items: { train: tasks.train.map((t) => t.id), eval: tasks.eval.map((t) => t.id) } };
}

/** Whether a run merges adapters into the base weights (the host then reloads the model before the next run). */
export const modifiesBase = (req: SealRunRequest): boolean => (req.config.rounds ?? 1) > 0;
