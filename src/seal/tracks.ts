// The tracks the lab runs, keyed by name: a worker request becomes a track's run, and a model folder's
// seal_lab.json holds each track's scaled-down settings. The only module that knows every track.
import { z } from 'zod';
import { ModelConfigError } from '../engine/model/errors.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import type { Tokenizer } from '../engine/model/tokenizer.ts';
import { arcConfig, ArcOverrides, type ArcConfig, type ArcUserSettings } from './arc/config.ts';
import { runArcExperiment, type ArcEvent, type ArcRollout } from './arc/experiment.ts';
import type { KnowledgeRollout } from './knowledge/experiment.ts';
import { resolveTaskSet, type TaskSource } from './arc/task_set.ts';
import { specialsOf } from './core/context.ts';
import type { RunControl } from './core/control.ts';
import { Journal, type GeneratorStore } from './core/journal.ts';
import type { RunResult } from './core/loop.ts';
import { knowledgeConfig, KnowledgeOverrides, type KnowledgeConfig, type KnowledgeUserSettings } from './knowledge/config.ts';
import { runKnowledgeExperiment, type ForgettingCell, type KnowledgeEvent } from './knowledge/experiment.ts';
import { resolvePassages, type PassageSource } from './knowledge/passages.ts';
import { DEFAULT_WORLD } from './knowledge/world/index.ts';

export const TRACKS = ['arc', 'knowledge'] as const;
export type TrackName = (typeof TRACKS)[number];

/** seal_lab.json: what the model is for, and each track's settings for it; unknown fields are errors (typos). */
const SealLabSchema = z.strictObject({
  /** One line for the model card: what this model was made for (e.g. the mini world it knows). */
  about: z.string().optional(),
  arc: ArcOverrides.optional(),
  knowledge: KnowledgeOverrides.optional(),
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

export interface KnowledgeRunRequest {
  track: 'knowledge';
  passages: PassageSource;
  /** Passages per role (defaults: the model's seal_lab.json, else 8 each). */
  maxTrain?: number;
  maxEval?: number;
  config: KnowledgeUserSettings;
}

export type SealRunRequest = ArcRunRequest | KnowledgeRunRequest;

type Items = { items: { train: string[]; eval: string[] } };
/** A run's outcome: its rows and rollouts, the settings it ran with and the items of each role. */
export type SealRunResult =
  | (RunResult<ArcRollout> & Items & { track: 'arc'; config: ArcConfig })
  | (RunResult<KnowledgeRollout> & Items & { track: 'knowledge'; config: KnowledgeConfig; forgetting: ForgettingCell[] });

/** Every event a run of any track emits. */
export type LabEvent = ArcEvent | KnowledgeEvent;

export interface RunEnv {
  model: LlamaModel;
  tok: Tokenizer;
  control: RunControl;
  sealLab: SealLabFile | null;
  emit(e: LabEvent): void;
  /** Where this run keeps its M-step adapters (so it can be resumed), or null. */
  store: GeneratorStore | null;
  /** A resumed run's saved events (its finished part is skipped); empty for a new run. */
  resume: readonly LabEvent[];
}

/** The finished rollouts and rows of a resumed run of `track` (events of another track are ignored). */
function journalOf<R extends ArcRollout | KnowledgeRollout>(env: RunEnv, track: R['track']): Journal<R> {
  const mine = env.resume.filter((e) => e.type !== 'rollout' || e.rollout.track === track);
  return Journal.fromEvents<R>(mine, env.store);
}

const ids = (set: { train: Array<{ id: string }>; eval: Array<{ id: string }> }) => ({ train: set.train.map((t) => t.id), eval: set.eval.map((t) => t.id) });

/** Default passages per role when neither the request nor the model says. */
export const DEFAULT_PASSAGES = { train: 8, eval: 8 };

export async function runTrack(env: RunEnv, req: SealRunRequest): Promise<SealRunResult> {
  const { model, tok, control } = env;
  const sp = specialsOf(model, tok);
  if (req.track === 'arc') {
    const cfg = arcConfig(env.sealLab?.arc ?? {}, req.config);
    const tasks = resolveTaskSet(req.tasks, req);
    const result = await runArcExperiment({ model, tok, sp, cfg, control, emit: (e: ArcEvent) => env.emit(e) }, tasks, journalOf<ArcRollout>(env, 'arc'));
    return { ...result, track: 'arc', config: cfg, items: ids(tasks) };
  }
  const lab = env.sealLab?.knowledge ?? {};
  const cfg = knowledgeConfig(lab, req.config);
  const caps = { train: req.maxTrain ?? lab.passages?.train ?? DEFAULT_PASSAGES.train, eval: req.maxEval ?? lab.passages?.eval ?? DEFAULT_PASSAGES.eval };
  const passages = resolvePassages(req.passages, caps, lab.world ?? DEFAULT_WORLD);
  const result = await runKnowledgeExperiment({ model, tok, sp, cfg, control, emit: (e: KnowledgeEvent) => env.emit(e) }, passages, journalOf<KnowledgeRollout>(env, 'knowledge'));
  return { ...result, track: 'knowledge', config: cfg, items: ids(passages) };
}

/** Whether a run merges adapters into the base weights (the host then reloads the model before the next run). */
export const modifiesBase = (req: SealRunRequest): boolean =>
  (req.config.rounds ?? 1) > 0 || (req.track === 'knowledge' && (req.config.forgettingPassages ?? 0) > 0);
