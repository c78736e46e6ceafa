// Replaying a recording: its pace (recorded arrival times, else estimated from the events), the replay slice's
// states under fake timers (play, pause, speed, restart, show all, end), and the run-file and index checks that
// name what is wrong with a damaged file.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { EMPTY, fold } from '../../src/store/derive.ts';
import { buildRunExport } from '../../src/store/export.ts';
import { parseRecordingIndex } from '../../src/store/recordings.ts';
import { nextSpeed, PHASE_BEAT, replaySchedule, shownAt } from '../../src/store/replay.ts';
import { fromRunFile } from '../../src/store/saved_runs.ts';
import { replaySlice, REPLAY_TICK_MS } from '../../src/store/slices/replay.ts';
import type { LabState } from '../../src/store/state.ts';
import type { LabEvent } from '../../src/seal/tracks.ts';

const phase = (p: string): LabEvent => ({ type: 'phase', phase: p, method: 'own', round: 0, explain: p });
const rollout = (id: string, seconds: number, reward = 1): LabEvent => ({
  type: 'rollout',
  rollout: { id, track: 'knowledge', itemId: 'p1', method: 'own', round: 0, role: 'eval', text: '', attempts: 1, reward, rewards: [reward], solved: 1, total: 1, reason: '', examples: 1, steps: 1, finalLoss: null, seconds },
} as LabEvent);
const log = (m: string): LabEvent => ({ type: 'log', message: m });

describe('the pace of a replay', () => {
  test('recorded times are kept, made non-decreasing (a resumed run\'s clock may step back)', () => {
    const ev = [log('a'), log('b'), log('c'), log('d')];
    expect(replaySchedule(ev, [0, 2, 1.5, 7])).toEqual([0, 2, 2, 7]);
  });

  test('without times (or with unusable ones) the pace is estimated: phase beats, rollout seconds once, sampling seconds', () => {
    const ev = [phase('sample'), { type: 'speed', kind: 'sampling', tokens: 10, seconds: 3 } as LabEvent, rollout('r1', 4), { type: 'rollout', rollout: { ...(rollout('r1', 4) as { rollout: object }).rollout, kept: true } } as LabEvent, log('x')];
    const expected = [PHASE_BEAT, PHASE_BEAT + 3, PHASE_BEAT + 7, PHASE_BEAT + 7, PHASE_BEAT + 7];
    expect(replaySchedule(ev)).toEqual(expected);
    expect(replaySchedule(ev, [0, 1])).toEqual(expected); // wrong length
    expect(replaySchedule(ev, [0, 1, NaN, 2, 3])).toEqual(expected);
  });

  test('shownAt counts the events due; speeds stay within 1×–20×', () => {
    expect([-1, 0, 1, 1.5, 2, 9].map((c) => shownAt([0, 1, 1, 2], c))).toEqual([0, 1, 3, 3, 4, 4]);
    expect([nextSpeed(1, -1), nextSpeed(1, 1), nextSpeed(10, 1), nextSpeed(20, 1)]).toEqual([1, 2, 20, 20]);
  });
});

/** The replay slice over the few fields of the lab it reads and writes. */
function store() {
  return createStore<LabState>()((set, get, api) => ({
    events: [], times: [], derived: EMPTY, selectedRollout: 'x', selectedItem: 'y',
    ...replaySlice(set, get, api),
  }) as unknown as LabState);
}

describe('the replay slice', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());
  const events = [phase('baseline'), rollout('a', 1), rollout('b', 1, 0), log('m'), rollout('c', 1)];
  const times = [0, 1, 2, 10, 20];

  test('plays at its speed, pauses, speeds up, ends with every event folded as live', () => {
    const s = store();
    s.getState().loadReplay(events, times);
    expect(s.getState().replay).toMatchObject({ status: 'whole', shown: 5, duration: 20, timed: true });
    s.getState().setReplaySpeed(10);
    s.getState().playReplay(); // from the whole run: starts again from the start
    expect(s.getState().events).toEqual(events.slice(0, 1));
    expect(s.getState().selectedRollout).toBeNull();
    vi.advanceTimersByTime(REPLAY_TICK_MS); // 0.1 s × 10 = 1 s of the run
    expect(s.getState().replay.shown).toBe(2);
    expect(s.getState().derived.rewards).toHaveLength(1);
    vi.advanceTimersByTime(1000); // → 11 s
    expect(s.getState().replay).toMatchObject({ shown: 4, status: 'playing' });
    s.getState().pauseReplay();
    vi.advanceTimersByTime(5000);
    expect(s.getState().replay).toMatchObject({ shown: 4, status: 'paused' });
    s.getState().setReplaySpeed(20);
    s.getState().toggleReplay(); // plays on from 11 s
    expect(s.getState().replay.shown).toBe(4);
    vi.advanceTimersByTime(500); // → 21 s, past the end
    expect(s.getState().replay).toMatchObject({ shown: 5, status: 'ended', clock: 20 });
    expect(s.getState().derived).toEqual(events.reduce(fold, EMPTY));
    expect(vi.getTimerCount()).toBe(0); // the timer stopped
  });

  test('restart, show all at once, and end (a live run or another run) stop cleanly', () => {
    const s = store();
    s.getState().loadReplay(events); // no times: estimated pace
    expect(s.getState().replay.timed).toBe(false);
    s.getState().restartReplay();
    expect(s.getState().replay).toMatchObject({ status: 'playing', shown: 0 });
    s.getState().showWholeReplay();
    expect(s.getState().replay).toMatchObject({ status: 'whole', shown: 5 });
    expect(s.getState().events).toEqual(events);
    expect(vi.getTimerCount()).toBe(0);
    s.getState().playReplay();
    expect(vi.getTimerCount()).toBe(1);
    s.getState().endReplay();
    expect(s.getState().replay).toMatchObject({ source: null, status: 'whole' });
    expect(vi.getTimerCount()).toBe(0);
    s.getState().playReplay(); // nothing to play
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('run files and the recordings index', () => {
  const file = (events: unknown[], times?: number[]) => ({
    ...buildRunExport({ track: 'knowledge', status: 'done', error: null, modelUrl: 'models/seal-mini-bio/', setup: null, derived: EMPTY, events: events as LabEvent[], times }),
  });

  test('a run file keeps its arrival times through export and import; times of the wrong length are dropped', () => {
    const ev = [phase('baseline'), rollout('a', 2)];
    expect(fromRunFile(JSON.parse(JSON.stringify(file(ev, [0, 2.5]))), 'k.json')).toMatchObject({ times: [0, 2.5], run: { seconds: 2.5, status: 'imported' } });
    expect(file(ev, [0]).times).toBeUndefined();
  });

  test('a damaged run file names the event at fault', () => {
    expect(() => fromRunFile(file([phase('x'), { type: 'bogus' }]), 'runs/k.json')).toThrow(/runs\/k\.json is damaged: event 1 has no known type \("bogus"\)/);
    expect(() => fromRunFile(file([{ type: 'rollout', rollout: {} }]), 'k.json')).toThrow(/event 0 is a rollout without an id/);
    expect(() => fromRunFile({ app: 'other' }, 'k.json')).toThrow(/not a SEAL Lab run file/);
  });

  test('a damaged index names the field', () => {
    const ok = { track: 'knowledge', file: 'knowledge.json', date: '2026-12-07', model: 'seal-mini-bio', seed: 0, settings: '2 rounds', command: 'npm run record -- knowledge', seconds: 1, events: 2, bytes: 3 };
    expect(parseRecordingIndex({ app: 'seal-lab', recordings: [ok] })).toEqual([ok]);
    expect(() => parseRecordingIndex({ app: 'seal-lab', recordings: [{ ...ok, file: '../x.json' }] })).toThrow(/index\.json is damaged: recordings\.0\.file/);
    expect(() => parseRecordingIndex({ app: 'seal-lab', recordings: [{ ...ok, track: 'chess' }] })).toThrow(/recordings\.0\.track/);
  });
});
