// A track as the worker runs it: the block of a model's seal_lab.json it reads, its run (settings resolved from
// that block, the paper's values and the user's request) and whether a run changes the base weights. The
// registry (../tracks.ts) keys the tracks by name; nothing else in the worker names one.
import type { ZodType } from 'zod';
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { Tokenizer } from '../../engine/model/tokenizer.ts';
import type { Specials } from './context.ts';
import type { RunControl } from './control.ts';
import type { Rollout } from './events.ts';
import type { Journal } from './journal.ts';
import type { RunResult } from './loop.ts';
import type { YourEdit } from './yours.ts';

export interface TrackEnv<Lab, Event, R extends Rollout> {
  model: LlamaModel;
  tok: Tokenizer;
  sp: Specials;
  control: RunControl;
  /** This track's block of the model's seal_lab.json (undefined when the model has none). */
  lab: Lab | undefined;
  emit(e: Event): void;
  /** A resumed run's finished part (this track's rollouts and rows) and where its M-step adapters are kept. */
  journal: Journal<R>;
}

/** The ids of a run's items per role (what a result and the UI name them by). */
export interface RunItems {
  items: { train: string[]; eval: string[] };
}

export const itemIds = (set: { train: Array<{ id: string }>; eval: Array<{ id: string }> }): RunItems['items'] =>
  ({ train: set.train.map((t) => t.id), eval: set.eval.map((t) => t.id) });

/** What a run ran with: its settings resolved (paper ∘ seal_lab.json ∘ user) and its items by role. */
export interface RunSetupOf<Config, Items> {
  config: Config;
  items: Items;
}

export interface TrackModule<
  Name extends string, Lab, Req extends { track: Name }, Result extends RunResult<R> & RunItems & { track: Name }, Event, R extends Rollout, Config = unknown, Items = unknown,
> {
  name: Name;
  /** Its block of seal_lab.json; unknown fields are errors (typos). */
  labSchema: ZodType<Lab>;
  /** A request's settings and items, as its run would resolve them (the CLI's `apply` names an item of this). */
  resolve(lab: Lab | undefined, req: Req): RunSetupOf<Config, Items>;
  run(env: TrackEnv<Lab, Event, R>, req: Req): Promise<Result>;
  /** A student's self-edit applied to the model as it is, with a run's settings and items (core/yours.ts). */
  apply(env: TrackEnv<Lab, Event, R>, setup: RunSetupOf<Config, Items>, edit: YourEdit): Promise<R>;
  modifiesBase(req: Req): boolean;
}
