// Task sources for a run: the generated mini-ARC split (seeded) or ARC JSON (challenges + solutions) read in the
// UI thread from files or URLs. The worker validates the JSON and reports a TaskFileError; the UI also builds a
// local preview of the same task list (same functions, same order) for the grid viewer.
import type { ArcRunRequest } from '../../seal/arc/index.ts';
import { resolveTaskSet, type ArcFiles, type TaskSet, type TaskSource } from '../../seal/arc/task_set.ts';
import { MINI_ARC_DEFAULT } from '../../seal/worlds/minarc/index.ts';

export type TaskChoice =
  | { kind: 'mini'; seed: number }
  | { kind: 'files'; label: string; eval: ArcFiles; train?: ArcFiles };

export interface Limits {
  maxTrain: number | null;
  maxEval: number | null;
}

export function taskSource(c: TaskChoice, lim: Limits): TaskSource {
  if (c.kind === 'mini') {
    return { source: 'mini', seed: c.seed, train: lim.maxTrain ?? MINI_ARC_DEFAULT.trainCount, eval: lim.maxEval ?? MINI_ARC_DEFAULT.heldoutCount };
  }
  return c.train ? { source: 'files', eval: c.eval, train: c.train } : { source: 'files', eval: c.eval };
}

/** The tasks the worker will run (the same function the worker calls); throws TaskFileError. */
export function previewTasks(c: TaskChoice, lim: Limits): TaskSet {
  return resolveTaskSet(taskSource(c, lim), requestLimits(lim));
}

export function requestLimits(lim: Limits): Pick<ArcRunRequest, 'maxTrain' | 'maxEval'> {
  return { ...(lim.maxTrain !== null && { maxTrain: lim.maxTrain }), ...(lim.maxEval !== null && { maxEval: lim.maxEval }) };
}

export class TaskInputError extends Error {
  override name = 'TaskInputError';
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TaskInputError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Picked files → ARC files. Challenges and solutions are told apart by name ("solution" in the file name), as
 * Kaggle names them (arc-agi_evaluation_challenges.json / arc-agi_evaluation_solutions.json).
 */
export async function readArcFiles(files: readonly File[]): Promise<{ files: ArcFiles; label: string }> {
  const sol = files.filter((f) => /solution/i.test(f.name));
  const chal = files.filter((f) => !/solution/i.test(f.name));
  if (chal.length !== 1 || sol.length !== 1) {
    throw new TaskInputError(`Pick two JSON files: the challenges and the solutions (a name containing "solutions"); got ${files.map((f) => f.name).join(', ') || 'none'}.`);
  }
  return {
    files: { challenges: parseJson(await chal[0].text(), chal[0].name), solutions: parseJson(await sol[0].text(), sol[0].name) },
    label: chal[0].name,
  };
}

export async function fetchArcJson(url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(url, document.baseURI));
  } catch (e) {
    throw new TaskInputError(`Could not fetch ${url}: ${(e as Error).message} (is the URL right, and does the server allow CORS?)`);
  }
  if (!res.ok) throw new TaskInputError(`GET ${url}: HTTP ${res.status} ${res.statusText}`);
  return parseJson(await res.text(), url);
}
