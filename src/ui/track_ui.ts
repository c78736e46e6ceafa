// What a track shows on the main thread, as each ui/<track>/index.ts registers it in ./tracks.ts: names, the
// panels of its setup and item columns, the rows of its results charts, and the settings a run would use now.
import type { ComponentType } from 'react';
import type { LabState } from '../store/state.ts';

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
  /** The presenter view's one-line story before a run. */
  pitch: string;
  /** The setup column (items and settings) and the item column (the task or passage in focus). */
  SetupPanels: ComponentType;
  ItemPanels: ComponentType;
  /** The settings a run would use now, from the store (memoised: the same inputs give the same object). */
  setupNow(s: LabState): Setup;
  /** Its success-rate charts for a setup (the first is the presenter's scoreboard). */
  charts(setup: Setup): SuccessChartSpec[];
  /** Whether the forgetting heat map has something to show. */
  forgetting(setup: Setup): boolean;
  /** A saved run's settings in one line. */
  historySettings(config: Setup['config'], items: { train: unknown[]; eval: unknown[] }): string;
}

/** `compute` over the values `inputs` picks from the state, recomputed only when one of them changes (Object.is). */
export function memoOn<S, I extends unknown[], R>(inputs: (s: S) => I, compute: (...i: I) => R): (s: S) => R {
  let last: { i: I; r: R } | null = null;
  return (s) => {
    const i = inputs(s);
    if (!last || i.length !== last.i.length || i.some((x, k) => !Object.is(x, last!.i[k]))) last = { i, r: compute(...i) };
    return last.r;
  };
}
