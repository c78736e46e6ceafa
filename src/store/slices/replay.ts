// Replaying a run that is not live (a recording, shipped or imported, or a saved run): its events folded again
// over time at 1×–20×, so the charts fill as they did live, or all at once. The history slice hands over the whole
// run when it opens one; a live run, another run or "Back to live" ends the replay (endReplay).
import type { StateCreator } from 'zustand';
import type { LabEvent } from '../../seal/tracks.ts';
import { EMPTY, fold } from '../derive.ts';
import { replaySchedule, shownAt, validTimes, type ReplaySpeed } from '../replay.ts';
import type { LabState } from '../state.ts';

/** whole: every event shown at once (how a run opens); ended: played to its last event. */
export type ReplayStatus = 'whole' | 'playing' | 'paused' | 'ended';

export interface ReplayState {
  /** The whole run on screen, whatever part of it is shown (null: a live run, or nothing to replay). */
  source: { events: LabEvent[]; times?: number[] } | null;
  /** Seconds from the run's start at which each event is shown (../replay.ts). */
  schedule: number[];
  /** Whether the schedule is the recorded arrival times (else estimated from the events). */
  timed: boolean;
  status: ReplayStatus;
  speed: ReplaySpeed;
  /** Events shown so far, and the replay's clock and end in the run's seconds. */
  shown: number;
  clock: number;
  duration: number;
}

export interface ReplaySlice {
  replay: ReplayState;
  /** Puts a run on screen as a whole, ready to be replayed (the caller shows its events). */
  loadReplay(events: LabEvent[], times?: number[]): void;
  /** Plays on from where it is; from the start when the whole run is shown or it had ended. */
  playReplay(): void;
  pauseReplay(): void;
  toggleReplay(): void;
  restartReplay(): void;
  setReplaySpeed(s: ReplaySpeed): void;
  /** Stops playing and shows every event. */
  showWholeReplay(): void;
  /** Forgets the replay (a live run starts, another run opens, back to live). */
  endReplay(): void;
}

/** How often a playing replay folds the events that are due (ms). */
export const REPLAY_TICK_MS = 100;

const IDLE: ReplayState = { source: null, schedule: [], timed: false, status: 'whole', speed: 10, shown: 0, clock: 0, duration: 0 };

export const replaySlice: StateCreator<LabState, [], [], ReplaySlice> = (set, get) => {
  let timer: ReturnType<typeof setInterval> | null = null;
  let last = 0;
  const update = (p: Partial<ReplayState>) => set((s) => ({ replay: { ...s.replay, ...p } }));
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  /** Shows the events due by `clock` (folding only the new ones). */
  const showUpTo = (clock: number) => {
    const { replay: r, derived } = get();
    if (!r.source) return;
    const { events, times } = r.source;
    const n = clock >= r.duration ? events.length : shownAt(r.schedule, clock); // events added after the schedule show at its end
    const p: Partial<ReplayState> = { clock, shown: n };
    if (n > r.shown) set({ events: events.slice(0, n), times: times?.slice(0, n) ?? [], derived: events.slice(r.shown, n).reduce(fold, derived) });
    if (n === events.length && clock >= r.duration) {
      stopTimer();
      p.status = 'ended';
    }
    update(p);
  };
  const tick = () => {
    const now = Date.now();
    const { replay: r } = get();
    if (!r.source || r.status !== 'playing') return stopTimer();
    showUpTo(Math.min(r.duration, r.clock + ((now - last) / 1000) * r.speed));
    last = now;
  };
  const rewind = () => {
    set({ events: [], times: [], derived: EMPTY, selectedRollout: null, selectedItem: null });
    update({ shown: 0, clock: 0 });
  };
  const play = () => {
    stopTimer();
    update({ status: 'playing' });
    last = Date.now();
    timer = setInterval(tick, REPLAY_TICK_MS);
    showUpTo(get().replay.clock); // the events at 0 s show at once
  };

  return {
    replay: IDLE,

    loadReplay(events, times) {
      stopTimer();
      const ok = validTimes(events, times);
      const schedule = replaySchedule(events, ok ? times : undefined);
      const duration = schedule.at(-1) ?? 0;
      update({ source: { events, ...(ok && { times }) }, schedule, timed: ok, status: 'whole', shown: events.length, clock: duration, duration });
    },

    playReplay() {
      const r = get().replay;
      if (!r.source || r.status === 'playing') return;
      if (r.status !== 'paused') rewind();
      play();
    },

    pauseReplay() {
      if (get().replay.status !== 'playing') return;
      stopTimer();
      update({ status: 'paused' });
    },

    toggleReplay() {
      if (get().replay.status === 'playing') get().pauseReplay();
      else get().playReplay();
    },

    restartReplay() {
      if (!get().replay.source) return;
      rewind();
      play();
    },

    setReplaySpeed(speed) {
      update({ speed });
    },

    showWholeReplay() {
      const r = get().replay;
      if (!r.source) return;
      stopTimer();
      showUpTo(r.duration);
      update({ status: 'whole' });
    },

    endReplay() {
      stopTimer();
      update({ ...IDLE, speed: get().replay.speed });
    },
  };
};
