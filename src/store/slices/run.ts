// A SEAL run of whichever track is picked: its state machine (running → paused / stopping → done / stopped /
// error), Run/Pause/Step/Stop, every event in order with the panels' data folded from them, and the exports. An
// engine error lands in the error panel and nothing the run produced is dropped.
import type { StateCreator } from 'zustand';
import type { ControlAction } from '../../seal/core/control.ts';
import type { LabEvent, SealRunRequest } from '../../seal/tracks.ts';
import { EMPTY, fold, type Derived } from '../derive.ts';
import { buildRunExport, download, rolloutsCsv, stamp, type RunExport } from '../export.ts';
import { appendSavedEvents, loadTimedEvents, newRunId, RunRecorder, type RunSetup, type SavedRun } from '../saved_runs.ts';
import type { LabState } from '../state.ts';

export type RunStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';
/** What the controls show: `running` split by what the run is doing right now. */
export type RunView = 'idle' | 'running' | 'pausing' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error';

export interface RunState {
  status: RunStatus;
  stepMode: boolean;
  pauseRequested: boolean;
  stopRequested: boolean;
  /** Phase count at the last release (start, step, resume): the run is held once a later phase arrives. */
  gate: number;
  startedAt: number | null;
  seconds: number | null;
  modelUrl: string | null;
  setup: RunSetup | null;
  /** The saved run this is (history), or null. */
  id: string | null;
  /** Not live: a saved run opened from the history, or an imported run file (a recording). */
  viewing: { kind: 'saved' | 'recording'; label: string } | null;
}

/** What a track hands the run slice to start a run: the worker request and what the UI records of it. */
export interface RunPlan {
  request: SealRunRequest;
  setup: RunSetup;
}

export interface RunSlice {
  /** Step mode for the next run (and the current one: toggling sends step-mode / run-mode). */
  stepMode: boolean;
  run: RunState;
  events: LabEvent[];
  /** Seconds from the run's start at which each event arrived (parallel to `events`; what a replay paces by). */
  times: number[];
  derived: Derived;
  /** Rollout picked in the inspector (null: the viewers follow the run). */
  selectedRollout: string | null;
  selectedItem: string | null;
  setStepMode(on: boolean): Promise<void>;
  /** Starts the run `plan` builds from the track's current settings (its errors are shown, nothing starts). */
  start(plan: () => RunPlan, stepMode?: boolean): Promise<void>;
  /** Goes on with a saved run that was interrupted or stopped: its finished part is skipped, the rest computed. */
  resumeRun(id: string): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  step(): Promise<void>;
  stop(): Promise<void>;
  select(rolloutId: string | null, itemId?: string | null): void;
  /** Adds events to the run on screen (a student's self-edit): into the live run's stream, or after a finished or opened run's, saved with it. */
  addEvents(events: LabEvent[]): Promise<void>;
  exportData(): RunExport;
  exportJson(): void;
  exportCsv(): void;
  /** Sends a control action to the run in progress. */
  control(action: ControlAction): Promise<void>;
}

export const IDLE_RUN: RunState = {
  status: 'idle', stepMode: false, pauseRequested: false, stopRequested: false, gate: 0, startedAt: null, seconds: null, modelUrl: null, setup: null,
  id: null, viewing: null,
};

export function runView(r: RunState, phaseCount: number): RunView {
  if (r.status !== 'running') return r.status;
  if (r.stopRequested) return 'stopping';
  const holding = r.stepMode || r.pauseRequested;
  if (holding && phaseCount > r.gate) return 'paused';
  return r.pauseRequested ? 'pausing' : 'running';
}

/** A failure of the engine rather than of the run: the GPU device was lost, or the worker died. */
const isFault = (e: Error) => e.name === 'DeviceLostError' || e.name === 'WorkerError' || (e.name === 'AbortError' && /worker terminated/.test(e.message));
const faultText = (e: Error) => (e.name === 'DeviceLostError' ? `The GPU device was lost (${e.message}).` : `The engine worker stopped (${e.message}).`);

class EngineFault extends Error {
  override name = 'EngineFault';
}

export const runSlice: StateCreator<LabState, [], [], RunSlice> = (set, get) => {
  // Events arrive in bursts (every TTT step): they are applied at most every 60 ms, in one fold.
  let pending: LabEvent[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let recorder: RunRecorder | null = null;
  /** The last run's final save (events added after it go in after). */
  let lastSave: Promise<void> = Promise.resolve();
  let t0 = 0;
  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    const { events, times, derived } = get();
    const next = batch.reduce(fold, derived);
    const at = Math.round((performance.now() - t0) / 100) / 10;
    set({ events: events.concat(batch), times: times.concat(batch.map(() => at)), derived: next });
    recorder?.append(batch, next.methods, at);
  };
  const saveFailed = (e: unknown) => set((s) => ({ history: { ...s.history, error: `The run is not being saved: ${(e as Error).message}` } }));
  const enqueue = (e: LabEvent) => {
    pending.push(e);
    flushTimer ??= setTimeout(flush, 60);
  };
  /** Lets the run go on from the phase it is held at. */
  const release = (p: Partial<RunState>) => {
    flush();
    set((s) => ({ run: { ...s.run, ...p, gate: s.derived.phaseCount } }));
  };

  /**
   * Runs a plan, new or resumed (a saved run's finished part is skipped by the worker, and its events stay here).
   * A lost GPU device or a crashed worker interrupts the run: the engine is rebuilt, the model reloaded, and the run
   * stays in the history, resumable.
   */
  const launch = async (plan: RunPlan, stepMode: boolean, resumed: { run: SavedRun; events: LabEvent[]; times?: number[] } | null) => {
    const client = get().client!;
    pending = [];
    const startedAt = resumed?.run.startedAt ?? Date.now();
    const modelUrl = get().model.url;
    recorder = resumed
      ? new RunRecorder({ ...resumed.run, status: 'running', seconds: null, error: null }, saveFailed)
      : new RunRecorder({
          id: newRunId(), startedAt, seconds: null, track: plan.setup.track, modelUrl, setup: plan.setup, request: plan.request,
          status: 'running', methods: [], events: 0, batches: 0,
        }, saveFailed);
    const events = resumed?.events ?? [];
    const times = resumed?.times ?? events.map(() => 0);
    get().endReplay();
    t0 = performance.now() - 1000 * (times.at(-1) ?? 0); // a resumed run's clock goes on from its last event
    set({
      track: plan.setup.track, stepMode, events, times, derived: events.reduce(fold, EMPTY), selectedRollout: null, selectedItem: null, error: null,
      run: { ...IDLE_RUN, status: 'running', stepMode, startedAt, modelUrl, setup: plan.setup, id: recorder.id },
    });
    const launched = performance.now();
    const done = (p: Partial<RunState>, saved?: SavedRun['status']) => {
      flush();
      set((st) => ({ run: { ...st.run, pauseRequested: false, stopRequested: false, seconds: (performance.now() - launched) / 1000, ...p } }));
      const { run, error } = get();
      const status = saved ?? (run.status === 'running' || run.status === 'idle' ? 'error' : run.status);
      lastSave = recorder?.finish({ status, seconds: run.seconds, error: error && { name: error.name, message: error.message } }) ?? lastSave;
      void lastSave.then(() => get().refreshHistory());
      recorder = null;
    };
    try {
      await client.call('seal-run', { ...plan.request, stepMode, runId: recorder.id, resume: events }, (e) => {
        if (e.type === 'seal') enqueue(e.event);
        else if (e.type === 'log') enqueue({ type: 'log', message: e.message });
      });
      done({ status: 'done' });
    } catch (e) {
      const err = e as Error;
      if (err.name === 'RunStopped') return done({ status: 'stopped' });
      if (!isFault(err)) {
        get().fail('Run', e);
        return done({ status: 'error' });
      }
      get().fail('Run interrupted', new EngineFault(`${faultText(err)} Everything the run finished is saved: the engine is restarting and reloading the model; ` +
        'then press Resume on the run in the saved runs below.'));
      done({ status: 'stopped' }, 'interrupted');
      await get().retryGpu();
    }
  };

  return {
    stepMode: false,
    run: IDLE_RUN,
    events: [],
    times: [],
    derived: EMPTY,
    selectedRollout: null,
    selectedItem: null,

    async control(action) {
      const { client } = get();
      if (!client || get().run.status !== 'running') return;
      try {
        await client.call('control', { action });
      } catch (e) {
        get().fail(`Control (${action})`, e);
      }
    },

    async setStepMode(on) {
      set({ stepMode: on });
      if (get().run.status !== 'running') return;
      // Turning step mode on holds the run at the end of the phase in progress (not at one already shown).
      if (on) {
        flush();
        const held = runView(get().run, get().derived.phaseCount) === 'paused';
        if (held) set((st) => ({ run: { ...st.run, stepMode: true, pauseRequested: false } }));
        else release({ stepMode: true });
      } else release({ stepMode: false, pauseRequested: false });
      await get().control(on ? 'step-mode' : 'run-mode');
    },

    async start(planOf, stepModeArg) {
      const s = get();
      if (!s.client || s.model.status !== 'ready' || s.run.status === 'running') return;
      let plan: RunPlan;
      try {
        plan = planOf();
      } catch (e) {
        get().fail('Run settings', e);
        return;
      }
      await launch(plan, stepModeArg ?? s.stepMode, null);
    },

    async resumeRun(id) {
      const s = get();
      const saved = s.history.runs.find((r) => r.id === id);
      if (!s.client || s.model.status !== 'ready' || s.run.status === 'running' || !saved?.request || !saved.setup) return;
      try {
        await launch({ request: saved.request, setup: saved.setup }, s.stepMode, { run: saved, ...(await loadTimedEvents(id)) });
      } catch (e) {
        get().fail('Resuming the run', e);
      }
    },

    async pause() {
      const r = get().run;
      if (r.status !== 'running' || r.pauseRequested || r.stepMode) return;
      flush();
      set((s) => ({ run: { ...s.run, pauseRequested: true, gate: s.derived.phaseCount } }));
      await get().control('pause');
    },

    async resume() {
      if (get().run.status !== 'running') return;
      set({ stepMode: false });
      release({ pauseRequested: false, stepMode: false });
      await get().control('run-mode');
    },

    async step() {
      const r = get().run;
      if (r.status !== 'running') return;
      if (!r.stepMode) {
        set({ stepMode: true });
        await get().control('step-mode');
      }
      release({ stepMode: true, pauseRequested: false });
      await get().control('step');
    },

    async stop() {
      if (get().run.status !== 'running') return;
      set((s) => ({ run: { ...s.run, stopRequested: true } }));
      await get().control('stop');
    },

    select(rolloutId, itemId) {
      const r = rolloutId ? get().derived.rollouts[rolloutId] : null;
      set({ selectedRollout: rolloutId, selectedItem: itemId ?? r?.itemId ?? null });
    },

    async addEvents(batch) {
      if (recorder) {
        batch.forEach(enqueue);
        return flush();
      }
      const { events, times, derived, replay, run } = get();
      const at = times.at(-1) ?? 0;
      const more = batch.map(() => at);
      // an opened run is also a replay's source: it and the run file include them
      const source = replay.source && { events: replay.source.events.concat(batch), ...(replay.source.times && { times: replay.source.times.concat(more) }) };
      set({ events: events.concat(batch), times: times.concat(more), derived: batch.reduce(fold, derived), ...(source && { replay: { ...replay, source } }) });
      if (!run.id) return;
      await lastSave;
      await appendSavedEvents(run.id, batch, more);
      await get().refreshHistory();
    },

    exportData() {
      flush();
      const s = get();
      // A replay exports the whole recording, not the part shown so far.
      const { events, times, derived } = s.replay.source ? { ...s.replay.source, derived: s.replay.source.events.reduce(fold, EMPTY) } : s;
      return buildRunExport({
        track: s.track, status: s.run.status, error: s.error && { name: s.error.name, message: s.error.message }, modelUrl: s.run.modelUrl,
        setup: s.run.setup, derived, events, times,
      });
    },

    exportJson() {
      const data = get().exportData();
      download(`seal-${data.track}-run-${stamp()}.json`, JSON.stringify(data, null, 1), 'application/json');
    },

    exportCsv() {
      flush();
      const d = get().derived;
      download(`seal-${get().run.setup?.track ?? get().track}-rollouts-${stamp()}.csv`, rolloutsCsv(d.rolloutOrder.map((id) => d.rollouts[id])), 'text/csv');
    },
  };
};
