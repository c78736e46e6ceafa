// What a track shows on the main thread, as each ui/<track>/index.ts registers it in ./tracks.ts: names, the
// panels of its setup and item columns, the rows of its results charts, and the settings a run would use now.
import type { ComponentType } from 'react';
import type { RunPlan } from '../store/slices/run.ts';

/** A results chart of the track: which rows (method, round) it draws, titled and explained. */
export interface SuccessChartSpec {
  title: string;
  testId: string;
  note: string;
  wanted: Array<[string, number]>;
}

export interface TrackUi<Setup extends { track: string; config: unknown }> {
  /** The track picker's label and its test id. */
  label: string;
  testId: string;
  /** A short name (compare legends), the history's column and the presenter view's title. */
  short: string;
  historyName: string;
  title: string;
  /** What its results measure ("Success rate", "QA accuracy"). */
  metric: string;
  /** What a rollout's reward is, in words ("1 = task solved"). */
  reward: string;
  /** The presenter view's one-line story before a run. */
  pitch: string;
  /** The setup column (items and settings) and the item column (the task or passage in focus). */
  SetupPanels: ComponentType;
  ItemPanels: ComponentType;
  /** A hook: the settings the panels describe (the last run's when it was of this track, else the current ones). */
  useSetup(): Setup;
  /** The run the track's current settings ask for (throws on settings that cannot run). */
  runPlan(): RunPlan;
  /** Its success-rate charts for a setup (the first is the presenter's scoreboard). */
  charts(setup: Setup): SuccessChartSpec[];
  /** Whether the forgetting heat map has something to show. */
  forgetting(setup: Setup): boolean;
}

/** `compute` over the values `inputs` picks from its arguments, recomputed only when one of them changes (Object.is). */
export function memoOn<A extends unknown[], I extends unknown[], R>(inputs: (...a: A) => I, compute: (...i: I) => R): (...a: A) => R {
  let last: { i: I; r: R } | null = null;
  return (...a) => {
    const i = inputs(...a);
    if (!last || i.length !== last.i.length || i.some((x, k) => !Object.is(x, last!.i[k]))) last = { i, r: compute(...i) };
    return last.r;
  };
}
