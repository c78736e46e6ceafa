// The registry of the tracks the lab runs, keyed by name: a worker request becomes its track's run, and a model
// folder's seal_lab.json holds a block per track. The only module of the SEAL layer that knows every track;
// adding one is a folder with its module (index.ts) and a line here.
import { z } from 'zod';
import { ModelConfigError } from '../engine/model/errors.ts';
import { arcModule, type ArcRunRequest, type ArcRunResult } from './arc/index.ts';
import { arcLabels } from './arc/labels.ts';
import type { ArcConfig } from './arc/config.ts';
import type { TaskSet } from './arc/task_set.ts';
import type { ArcEvent } from './arc/types.ts';
import { specialsOf } from './core/context.ts';
import type { TrackModule } from './core/module.ts';
import type { RunControl } from './core/control.ts';
import type { Rollout } from './core/events.ts';
import { Journal, type GeneratorStore } from './core/journal.ts';
import type { YourEdit } from './core/yours.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import type { Tokenizer } from '../engine/model/tokenizer.ts';
import { knowledgeModule, type KnowledgeRunRequest, type KnowledgeRunResult } from './knowledge/index.ts';
import { knowledgeLabels } from './knowledge/labels.ts';
import type { KnowledgeConfig } from './knowledge/config.ts';
import type { PassageSet } from './knowledge/passages.ts';
import type { KnowledgeEvent } from './knowledge/types.ts';

export const TRACKS = ['arc', 'knowledge'] as const;
export type TrackName = (typeof TRACKS)[number];

/** Each track's runner (worker side). */
const MODULES = { arc: arcModule, knowledge: knowledgeModule } satisfies Record<TrackName, unknown>;
/** Each track's names and paper table (main thread: no runner code is imported through this). */
export const TRACK_LABELS = { arc: arcLabels, knowledge: knowledgeLabels } satisfies Record<TrackName, unknown>;

/** A run's settings in one line, its seed apart (its track's labels word it). */
export function settingsLine(s: ApplySetup): string {
  return s.track === 'arc' ? arcLabels.settings(s.config, s.items) : knowledgeLabels.settings(s.config, s.items);
}

export type SealRunRequest = ArcRunRequest | KnowledgeRunRequest;
/** A run's outcome: its rows and rollouts, the settings it ran with and the items of each role. */
export type SealRunResult = ArcRunResult | KnowledgeRunResult;
/** What the UI records of a run: its track, the settings it ran with, its items and where they came from. */
export type RunSetup =
  | { track: 'arc'; config: ArcConfig; items: TaskSet; source: unknown }
  | { track: 'knowledge'; config: KnowledgeConfig; items: PassageSet; source: unknown };

/** What a student's self-edit is applied with, outside a run: a run's track, settings and items (RunSetup's). */
export type ApplySetup = { [T in RunSetup['track']]: Pick<Extract<RunSetup, { track: T }>, 'track' | 'config' | 'items'> }[RunSetup['track']];

/** Every event a run of any track emits. */
export type LabEvent = ArcEvent | KnowledgeEvent;

/** seal_lab.json: what the model is for (`about`: one line for the model card), and each track's settings for it. */
export type SealLabFile = { about?: string } & { [T in TrackName]?: z.infer<(typeof MODULES)[T]['labSchema']> };

/** Unknown fields are errors (typos). Built on first use, so the main thread, which only reads names, never loads the runners. */
export function parseSealLab(raw: unknown, source = 'seal_lab.json'): SealLabFile {
  const blocks = Object.fromEntries(TRACKS.map((t) => [t, MODULES[t].labSchema.optional()]));
  const r = z.strictObject({ about: z.string().optional(), ...blocks }).safeParse(raw);
  if (!r.success) throw new ModelConfigError(`${source}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { source });
  return r.data;
}

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

/** A track's module seen through the registry's unions: each module only ever gets the request that names it. */
const moduleOf = (name: TrackName) =>
  MODULES[name] as unknown as TrackModule<TrackName, unknown, SealRunRequest, SealRunResult, LabEvent, Rollout, ApplySetup['config'], ApplySetup['items']>;

const envOf = (env: RunEnv, track: TrackName, journal: Journal<Rollout>) => ({
  model: env.model, tok: env.tok, sp: specialsOf(env.model, env.tok), control: env.control, emit: env.emit, lab: env.sealLab?.[track], journal,
});

export function runTrack(env: RunEnv, req: SealRunRequest): Promise<SealRunResult> {
  // A resumed run's rollouts of another track are ignored.
  const mine = env.resume.filter((e) => e.type !== 'rollout' || e.rollout.track === req.track);
  return moduleOf(req.track).run(envOf(env, req.track, Journal.fromEvents(mine, env.store)), req);
}

/** A request's settings and items as its run would resolve them against the model's seal_lab.json. */
export function resolveSetup(sealLab: SealLabFile | null, req: SealRunRequest): ApplySetup {
  return { track: req.track, ...moduleOf(req.track).resolve(sealLab?.[req.track], req) } as ApplySetup;
}

/** A student's self-edit on the model as it is, with a run's settings and items; its events go to env.emit. */
export function applyTrack(env: Omit<RunEnv, 'store' | 'resume'>, setup: ApplySetup, edit: YourEdit): Promise<Rollout> {
  return moduleOf(setup.track).apply(envOf({ ...env, store: null, resume: [] }, setup.track, new Journal()), setup, edit);
}

/** Whether a run merges adapters into the base weights (the host then reloads the model before the next run). */
export const modifiesBase = (req: SealRunRequest): boolean => moduleOf(req.track).modifiesBase(req);
