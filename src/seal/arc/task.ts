// ARC data as the standard JSON files hold it: a task is a few demonstration pairs and one or more test
// inputs; solutions (test outputs) live in a separate file keyed by task id.

/** Rows of colours 0–9. */
export type Grid = number[][];

export interface Pair {
  input: Grid;
  output: Grid;
}

export interface ArcTask {
  train: Pair[];
  test: Array<{ input: Grid }>;
}

/** `*_challenges.json`: task id → task. */
export type ArcChallenges = Record<string, ArcTask>;
/** `*_solutions.json`: task id → one output grid per test input. */
export type ArcSolutions = Record<string, Grid[]>;
