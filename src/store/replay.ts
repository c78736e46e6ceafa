// A recording's pace: when, in seconds from the run's start, each of its events is shown again. A run file made by
// this lab keeps every event's arrival time (`times`); an older file has none, and its pace is estimated from what
// the events themselves say took time: each rollout's seconds (its share of its item's inner loops) and each
// sampling burst's seconds, plus a short beat per phase so that phases can be read.
import type { LabEvent } from '../seal/tracks.ts';

export const SPEEDS = [1, 2, 5, 10, 20] as const;
export type ReplaySpeed = (typeof SPEEDS)[number];

/** Seconds given to each phase event of an untimed file (the loop's phases alone would otherwise flash by). */
export const PHASE_BEAT = 0.5;

/** Whether `times` are usable arrival times for `events`: one finite number ≥ 0 per event. */
export const validTimes = (events: readonly unknown[], times: unknown): times is number[] =>
  Array.isArray(times) && times.length === events.length && times.every((t) => typeof t === 'number' && Number.isFinite(t) && t >= 0);

/**
 * Seconds from the run's start at which each event is shown: the recorded times (made non-decreasing: a resumed
 * run's clock may step back), else the estimate above.
 */
export function replaySchedule(events: readonly LabEvent[], times?: readonly number[]): number[] {
  const out: number[] = [];
  if (times && validTimes(events, times)) {
    let t = 0;
    for (const x of times) out.push((t = Math.max(t, x)));
    return out;
  }
  const seen = new Set<string>();
  let t = 0;
  for (const e of events) {
    if (e.type === 'phase') t += PHASE_BEAT;
    else if (e.type === 'speed' && e.kind === 'sampling') t += e.seconds;
    else if (e.type === 'rollout' && !seen.has(e.rollout.id)) {
      seen.add(e.rollout.id); // a rollout re-sent with `kept` took no more time
      t += e.rollout.seconds;
    }
    out.push(t);
  }
  return out;
}

/** How many events are shown at `clock` seconds (the schedule is non-decreasing): a binary search. */
export function shownAt(schedule: readonly number[], clock: number): number {
  let lo = 0;
  let hi = schedule.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (schedule[mid] <= clock) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The next speed up (+1) or down (−1), staying within SPEEDS. */
export function nextSpeed(s: ReplaySpeed, dir: 1 | -1): ReplaySpeed {
  const i = SPEEDS.indexOf(s) + dir;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, i))];
}
