// Where ARC tasks come from: the embedded mini-ARC split (generated, seeded) or any ARC-format JSON pair
// (challenges + solutions, as Kaggle ships them). Files are validated; a bad file names the task and field.
import { z } from 'zod';
import { generateTasks, MINI_ARC_DEFAULT } from '../worlds/minarc/index.ts';
import type { ArcChallenges, ArcSolutions } from './task.ts';
import type { ArcItem } from './types.ts';

export class TaskFileError extends Error {
  override name = 'TaskFileError';
}

const GridSchema = z.array(z.array(z.number().int().min(0).max(9)).min(1).max(30)).min(1).max(30)
  .refine((g) => g.every((r) => r.length === g[0].length), 'rows must all have the same length');
const ChallengesSchema = z.record(z.string(), z.object({
  train: z.array(z.object({ input: GridSchema, output: GridSchema })).min(1),
  test: z.array(z.object({ input: GridSchema })).min(1),
}));
const SolutionsSchema = z.record(z.string(), z.array(GridSchema).min(1));

function parse<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new TaskFileError(`${what} is not in ARC format (${first})`);
}

export interface TaskSet {
  train: ArcItem[];
  eval: ArcItem[];
}

/** Pairs each challenge with its solutions; tasks without solutions cannot be scored and are an error. */
export function itemsFromFiles(challengesRaw: unknown, solutionsRaw: unknown, name = 'tasks'): ArcItem[] {
  const challenges: ArcChallenges = parse(ChallengesSchema, challengesRaw, `${name} challenges`);
  const solutions: ArcSolutions = parse(SolutionsSchema, solutionsRaw, `${name} solutions`);
  return Object.keys(challenges).sort().map((id) => {
    const truth = solutions[id];
    if (!truth) throw new TaskFileError(`${name}: task "${id}" has no solution (rewards need the test outputs)`);
    if (truth.length !== challenges[id].test.length) {
      throw new TaskFileError(`${name}: task "${id}" has ${challenges[id].test.length} test inputs but ${truth.length} solutions`);
    }
    return { id, task: challenges[id], truth };
  });
}

/** The lab's default: ReST-EM training tasks and held-out tasks, both from new compositions (split.ts). */
export function miniArcTaskSet(opts: { seed?: number; train?: number; eval?: number } = {}): TaskSet {
  const seed = opts.seed ?? MINI_ARC_DEFAULT.seed;
  const toItems = (m: ReturnType<typeof generateTasks>) =>
    Object.keys(m.challenges).map((id) => ({ id, task: m.challenges[id], truth: m.solutions[id] }));
  return {
    train: toItems(generateTasks({ seed, count: opts.train ?? MINI_ARC_DEFAULT.trainCount, split: 'restem' })),
    eval: toItems(generateTasks({ seed, count: opts.eval ?? MINI_ARC_DEFAULT.heldoutCount, split: 'heldout' })),
  };
}

/** One file for both roles is split in two halves by task id (training first), so no task is trained and tested. */
export function splitTaskSet(items: ArcItem[]): TaskSet {
  const half = Math.ceil(items.length / 2);
  return { train: items.slice(0, half), eval: items.slice(half) };
}

/** ARC JSON as loaded from files or URLs (validated here). */
export interface ArcFiles {
  challenges: unknown;
  solutions: unknown;
}

export type TaskSource =
  | { source: 'mini'; seed?: number; train?: number; eval?: number }
  | { source: 'files'; eval: ArcFiles; train?: ArcFiles };

/** The tasks a run uses: the source's training and evaluation sets, each capped. Throws TaskFileError. */
export function resolveTaskSet(src: TaskSource, caps: { maxTrain?: number; maxEval?: number } = {}): TaskSet {
  let set: TaskSet;
  if (src.source === 'mini') set = miniArcTaskSet(src);
  else {
    const evalItems = itemsFromFiles(src.eval.challenges, src.eval.solutions, 'evaluation tasks');
    set = src.train ? { train: itemsFromFiles(src.train.challenges, src.train.solutions, 'training tasks'), eval: evalItems } : splitTaskSet(evalItems);
  }
  return { train: set.train.slice(0, caps.maxTrain ?? Infinity), eval: set.eval.slice(0, caps.maxEval ?? Infinity) };
}
