// The lab's one store (zustand): the engine connection, device, model, task source, run settings, the run's
// state and every SealEvent in order, with the data the panels show folded from those events. Actions call the
// engine worker through EngineClient; an engine error lands in `error` and nothing the run produced is dropped.
import { create } from 'zustand';
import type { AdapterInfo } from '../engine/gpu/device.ts';
import { arcConfig, type ArcConfig } from '../seal/arc/config.ts';
import type { TaskSet } from '../seal/arc/task_set.ts';
import type { SealEvent } from '../seal/events.ts';
import { EngineClient } from '../worker/client.ts';
import type { ControlAction } from '../seal/control.ts';
import type { CacheList, EngineEvent, ModelInfo, ModelSourceSpec } from '../worker/protocol.ts';
import { EMPTY, fold, type Derived } from './derive.ts';
import { download, rolloutsCsv, stamp, type RunExport } from './export.ts';
import { fetchArcJson, previewTasks, readArcFiles, requestLimits, taskSource, type TaskChoice } from './tasks.ts';
import { resolveModelUrl } from './model_url.ts';
import { NO_PROGRESS, foldProgress, isCancelled, loadErrorMessage, sourceLabel, toSpec, type LoadProgress, type Quantize } from './model_source.ts';
import { MINI_ARC_DEFAULT } from '../seal/arc/minarc/index.ts';

export type GpuState =
  | { kind: 'loading' }
  | { kind: 'ready'; info: AdapterInfo }
  | { kind: 'error'; title: string; message: string };

export interface ModelState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** What the model is called: the folder URL, `org/name@rev`, `local folder (n files)`. */
  url: string;
  /** The source of the model loaded or loading (a Hub token stays in memory only). */
  source: ModelSourceSpec;
  info: ModelInfo | null;
  seconds: number | null;
  /** While loading: per-file downloads and the upload to the GPU. */
  load: LoadProgress;
  /** The last load that did not finish (the model before it, if any, stays loaded). */
  lastFailure: { cancelled: boolean; name: string; message: string; label: string } | null;
}

export interface CacheState {
  list: CacheList | null;
  busy: boolean;
  error: string | null;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';
/** What the controls show: `running` split by what the run is doing right now. */
export type RunView = 'idle' | 'running' | 'pausing' | 'paused' | 'stopping' | 'done' | 'stopped' | 'error';

export interface Settings {
  seed: number;
  rounds: number;
  selfEditsPerTrainTask: number;
  selfEditsPerEvalTask: number;
  /** null = every task of the set. */
  maxTrain: number | null;
  maxEval: number | null;
  methods: { icl: boolean; noRl: boolean; oracle: boolean };
}

export interface LabError {
  /** What the lab was doing: "Loading the model", "Run", … */
  context: string;
  name: string;
  message: string;
  stack?: string;
}

export interface RunState {
  status: RunStatus;
  stepMode: boolean;
  pauseRequested: boolean;
  stopRequested: boolean;
  /** Phase count at the last release (start, step, resume): the run is held once a later phase arrives. */
  gate: number;
  startedAt: number | null;
  seconds: number | null;
  config: ArcConfig | null;
  modelUrl: string | null;
  source: unknown;
}

export interface LabState {
  gpu: GpuState;
  model: ModelState;
  embeddedModelUrl: string;
  /** Quantisation for the next load. */
  quantize: Quantize;
  cache: CacheState;
  taskChoice: TaskChoice;
  taskPreview: TaskSet | null;
  taskPreviewError: string | null;
  settings: Settings;
  /** Step mode for the next run (and the current one: toggling sends step-mode / run-mode). */
  stepMode: boolean;
  run: RunState;
  /** The tasks of the current/last run (the preview taken at its start). */
  runTasks: TaskSet | null;
  events: SealEvent[];
  derived: Derived;
  /** Rollout picked in the inspector (null: the grid viewer follows the run). */
  selectedRollout: string | null;
  selectedTask: string | null;
  error: LabError | null;

  connect(): Promise<void>;
  retryGpu(): Promise<void>;
  /** A folder URL, any source, or (nothing) the current one again. */
  loadModel(source?: string | ModelSourceSpec): Promise<void>;
  cancelLoad(): Promise<void>;
  setQuantize(q: Quantize): void;
  refreshCache(): Promise<void>;
  deleteCached(key: string | 'all'): Promise<void>;
  setTaskChoice(c: TaskChoice): void;
  loadTaskFiles(evalFiles: File[], trainFiles?: File[]): Promise<void>;
  loadTaskUrls(urls: { challenges: string; solutions: string; trainChallenges?: string; trainSolutions?: string }): Promise<void>;
  updateSettings(p: Partial<Settings>): void;
  setStepMode(on: boolean): Promise<void>;
  start(stepMode?: boolean): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  step(): Promise<void>;
  stop(): Promise<void>;
  select(rolloutId: string | null, taskId?: string | null): void;
  dismissError(): void;
  exportData(): RunExport;
  exportJson(): void;
  exportCsv(): void;
}

export const PAPER_SETTINGS: Settings = {
  seed: 0, rounds: 1, selfEditsPerTrainTask: 15, selfEditsPerEvalTask: 5, maxTrain: null, maxEval: null, methods: { icl: true, noRl: true, oracle: true },
};
/** A few minutes on a laptop GPU with the embedded model: every phase of the loop, small counts. */
export const DEMO_SETTINGS: Settings = {
  seed: 0, rounds: 1, selfEditsPerTrainTask: 3, selfEditsPerEvalTask: 2, maxTrain: 3, maxEval: 3, methods: { icl: true, noRl: true, oracle: true },
};

const IDLE_RUN: RunState = {
  status: 'idle', stepMode: false, pauseRequested: false, stopRequested: false, gate: 0, startedAt: null, seconds: null, config: null, modelUrl: null, source: null,
};

let client: EngineClient | null = null;
let pending: SealEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

export function embeddedModelUrl(): string {
  return new URL('models/seal-mini-arc/', document.baseURI).href;
}

/** `?model=<url or path>` picks the model at start (paths resolve against the page, e.g. ?model=models/dev-tiny/). */
function initialModelUrl(): string {
  const q = new URLSearchParams(location.search).get('model');
  if (q) {
    try {
      return resolveModelUrl(q);
    } catch {
      /* an unusable ?model= falls back to the embedded model; the picker still shows it */
    }
  }
  return embeddedModelUrl();
}

function toLabError(context: string, e: unknown): LabError {
  if (e instanceof Error) return { context, name: e.name, message: e.message, stack: e.stack };
  return { context, name: 'Error', message: String(e) };
}

function preview(c: TaskChoice, s: Settings): Pick<LabState, 'taskPreview' | 'taskPreviewError'> {
  try {
    return { taskPreview: previewTasks(c, s), taskPreviewError: null };
  } catch (e) {
    return { taskPreview: null, taskPreviewError: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export function runView(r: RunState, phaseCount: number): RunView {
  if (r.status !== 'running') return r.status;
  if (r.stopRequested) return 'stopping';
  const holding = r.stepMode || r.pauseRequested;
  if (holding && phaseCount > r.gate) return 'paused';
  return r.pauseRequested ? 'pausing' : 'running';
}

export const useLab = create<LabState>()((set, get) => {
  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    const { events, derived } = get();
    set({ events: events.concat(batch), derived: batch.reduce(fold, derived) });
  };
  const enqueue = (e: SealEvent) => {
    pending.push(e);
    flushTimer ??= setTimeout(flush, 60);
  };
  const control = async (action: ControlAction) => {
    if (!client || get().run.status !== 'running') return;
    try {
      await client.call('control', { action });
    } catch (e) {
      set({ error: toLabError(`Control (${action})`, e) });
    }
  };
  /** Lets the run go on from the phase it is held at. */
  const release = (p: Partial<RunState>) => {
    flush();
    set((s) => ({ run: { ...s.run, ...p, gate: s.derived.phaseCount } }));
  };

  const init = async () => {
    set({ gpu: { kind: 'loading' } });
    try {
      const info = await client!.call('init', {});
      set({ gpu: { kind: 'ready', info } });
      return true;
    } catch (e) {
      const err = e as Error;
      set({ gpu: { kind: 'error', title: err.name === 'NoWebGpuError' ? 'WebGPU unavailable' : 'Could not create a GPU device', message: err.message } });
      return false;
    }
  };

  const s0 = DEMO_SETTINGS;
  const choice0: TaskChoice = { kind: 'mini', seed: MINI_ARC_DEFAULT.seed };
  return {
    gpu: { kind: 'loading' },
    model: { status: 'idle', url: initialModelUrl(), source: { kind: 'url', url: initialModelUrl() }, info: null, seconds: null, load: NO_PROGRESS, lastFailure: null },
    embeddedModelUrl: embeddedModelUrl(),
    quantize: 'auto',
    cache: { list: null, busy: false, error: null },
    taskChoice: choice0,
    ...preview(choice0, s0),
    settings: s0,
    stepMode: false,
    run: IDLE_RUN,
    runTasks: null,
    events: [],
    derived: EMPTY,
    selectedRollout: null,
    selectedTask: null,
    error: null,

    async connect() {
      if (client) return;
      try {
        client = EngineClient.start();
      } catch (e) {
        set({ gpu: { kind: 'error', title: 'Could not start the engine worker', message: (e as Error).message } });
        return;
      }
      if (await init()) await get().loadModel();
    },

    async retryGpu() {
      client?.terminate();
      client = EngineClient.start();
      set({ run: IDLE_RUN, model: { ...get().model, status: 'idle', info: null, load: NO_PROGRESS } });
      if (await init()) await get().loadModel();
    },

    async loadModel(input) {
      if (!client || get().run.status === 'running' || get().model.status === 'loading') return;
      let spec: ModelSourceSpec;
      try {
        spec = input === undefined ? get().model.source : toSpec(input);
      } catch (e) {
        set({ error: toLabError('Model source', e) });
        return;
      }
      const url = sourceLabel(spec);
      const before = get().model;
      const t0 = performance.now();
      let shown = 0;
      let load = NO_PROGRESS;
      let fileCount = 0;
      set({ model: { status: 'loading', url, source: spec, info: null, seconds: null, load, lastFailure: null } });
      const onEvent = (e: EngineEvent) => {
        if (e.type !== 'download' && e.type !== 'upload') return;
        load = foldProgress(load, e);
        // ≤ 10 updates a second, but always a file's first and last event.
        if (e.type === 'download' && (e.done || load.files.length !== fileCount)) shown = 0;
        fileCount = load.files.length;
        if (performance.now() - shown < 100) return;
        shown = performance.now();
        set((st) => (st.model.status === 'loading' && st.model.url === url ? { model: { ...st.model, load } } : {}));
      };
      const q = get().quantize;
      try {
        const info = await client.call('load-model', { source: spec, quantize: q }, onEvent);
        set({ model: { status: 'ready', url, source: spec, info, seconds: (performance.now() - t0) / 1000, load, lastFailure: null } });
      } catch (e) {
        const cancelled = isCancelled(e);
        const err = e as Error;
        const lastFailure = { cancelled, name: err.name ?? 'Error', message: err.message ?? String(e), label: url };
        // The engine keeps the model it had: so does the lab.
        const model: ModelState = before.status === 'ready' && before.info
          ? { ...before, lastFailure }
          : { status: 'error', url, source: spec, info: null, seconds: null, load, lastFailure };
        set({ model, ...(!cancelled && { error: { ...toLabError(`Loading the model from ${url}`, e), message: loadErrorMessage(e) } }) });
      }
      void get().refreshCache();
    },

    async cancelLoad() {
      if (!client || get().model.status !== 'loading') return;
      try {
        await client.call('cancel-load', {});
      } catch (e) {
        set({ error: toLabError('Cancelling the load', e) });
      }
    },

    setQuantize(q) {
      set({ quantize: q });
    },

    async refreshCache() {
      if (!client) return;
      set((s) => ({ cache: { ...s.cache, busy: true } }));
      try {
        const list = await client.call('cache-list', {});
        set({ cache: { list, busy: false, error: null } });
      } catch (e) {
        set((s) => ({ cache: { ...s.cache, busy: false, error: `${(e as Error).name}: ${(e as Error).message}` } }));
      }
    },

    async deleteCached(key) {
      if (!client) return;
      try {
        await client.call('cache-delete', key === 'all' ? { all: true } : { key });
      } catch (e) {
        set({ error: toLabError('Deleting from the model cache', e) });
      }
      await get().refreshCache();
    },

    setTaskChoice(c) {
      set({ taskChoice: c, ...preview(c, get().settings) });
    },

    async loadTaskFiles(evalFiles, trainFiles) {
      try {
        const ev = await readArcFiles(evalFiles);
        const tr = trainFiles?.length ? await readArcFiles(trainFiles) : null;
        get().setTaskChoice({ kind: 'files', label: ev.label, eval: ev.files, ...(tr && { train: tr.files }) });
      } catch (e) {
        set({ error: toLabError('Reading the task files', e) });
      }
    },

    async loadTaskUrls(u) {
      try {
        const [challenges, solutions] = await Promise.all([fetchArcJson(u.challenges), fetchArcJson(u.solutions)]);
        const train = u.trainChallenges && u.trainSolutions
          ? { challenges: await fetchArcJson(u.trainChallenges), solutions: await fetchArcJson(u.trainSolutions) }
          : undefined;
        get().setTaskChoice({ kind: 'files', label: u.challenges.split('/').pop() || u.challenges, eval: { challenges, solutions }, ...(train && { train }) });
      } catch (e) {
        set({ error: toLabError('Fetching the task files', e) });
      }
    },

    updateSettings(p) {
      const settings = { ...get().settings, ...p, methods: { ...get().settings.methods, ...p.methods } };
      const limitsChanged = settings.maxEval !== get().settings.maxEval || settings.maxTrain !== get().settings.maxTrain;
      set({ settings, ...(limitsChanged && preview(get().taskChoice, settings)) });
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
      }
      else release({ stepMode: false, pauseRequested: false });
      await control(on ? 'step-mode' : 'run-mode');
    },

    async start(stepModeArg) {
      const s = get();
      if (!client || s.model.status !== 'ready' || s.run.status === 'running') return;
      const stepMode = stepModeArg ?? s.stepMode;
      const { seed, rounds, selfEditsPerTrainTask, selfEditsPerEvalTask, methods } = s.settings;
      const user = { seed, rounds, selfEditsPerTrainTask, selfEditsPerEvalTask, methods };
      const source = taskSource(s.taskChoice, s.settings);
      pending = [];
      set({
        stepMode,
        events: [], derived: EMPTY, selectedRollout: null, selectedTask: null, error: null,
        runTasks: s.taskPreview,
        run: {
          ...IDLE_RUN, status: 'running', stepMode, startedAt: Date.now(), modelUrl: s.model.url,
          config: arcConfig(s.model.info?.sealLab ?? {}, user),
          source: source.source === 'mini' ? source : { source: 'files', label: s.taskChoice.kind === 'files' ? s.taskChoice.label : '' },
        },
      });
      const t0 = performance.now();
      const done = (p: Partial<RunState>) => {
        flush();
        set((st) => ({ run: { ...st.run, pauseRequested: false, stopRequested: false, seconds: (performance.now() - t0) / 1000, ...p } }));
      };
      try {
        const res = await client.call('arc-run', { tasks: source, ...requestLimits(s.settings), config: user, stepMode }, (e) => {
          if (e.type === 'seal') enqueue(e.event);
          else if (e.type === 'log') enqueue({ type: 'log', message: e.message });
        });
        done({ status: 'done', config: res.config });
      } catch (e) {
        if ((e as Error).name === 'RunStopped') done({ status: 'stopped' });
        else {
          done({ status: 'error' });
          set({ error: toLabError('Run', e) });
        }
      }
    },

    async pause() {
      const r = get().run;
      if (r.status !== 'running' || r.pauseRequested || r.stepMode) return;
      flush();
      set((s) => ({ run: { ...s.run, pauseRequested: true, gate: s.derived.phaseCount } }));
      await control('pause');
    },

    async resume() {
      if (get().run.status !== 'running') return;
      set({ stepMode: false });
      release({ pauseRequested: false, stepMode: false });
      await control('run-mode');
    },

    async step() {
      const r = get().run;
      if (r.status !== 'running') return;
      if (!r.stepMode) {
        set({ stepMode: true });
        await control('step-mode');
      }
      release({ stepMode: true, pauseRequested: false });
      await control('step');
    },

    async stop() {
      if (get().run.status !== 'running') return;
      set((s) => ({ run: { ...s.run, stopRequested: true } }));
      await control('stop');
    },

    select(rolloutId, taskId) {
      const r = rolloutId ? get().derived.rollouts[rolloutId] : null;
      set({ selectedRollout: rolloutId, selectedTask: taskId ?? r?.taskId ?? null });
    },

    dismissError() {
      set({ error: null });
    },

    exportData() {
      flush();
      const s = get();
      return {
        app: 'seal-lab', track: 'arc', exportedAt: new Date().toISOString(), status: s.run.status,
        error: s.error && { name: s.error.name, message: s.error.message },
        model: { url: s.run.modelUrl },
        config: s.run.config,
        tasks: { source: s.run.source, train: s.runTasks?.train ?? [], eval: s.runTasks?.eval ?? [] },
        methods: s.derived.methods,
        rollouts: s.derived.rolloutOrder.map((id) => s.derived.rollouts[id]),
        events: s.events,
      };
    },

    exportJson() {
      download(`seal-arc-run-${stamp()}.json`, JSON.stringify(get().exportData(), null, 1), 'application/json');
    },

    exportCsv() {
      flush();
      const d = get().derived;
      download(`seal-arc-rollouts-${stamp()}.csv`, rolloutsCsv(d.rolloutOrder.map((id) => d.rollouts[id])), 'text/csv');
    },
  };
});

/** The controls' view of the run (re-renders only when it changes). */
export function useRunView(): RunView {
  return useLab((s) => runView(s.run, s.derived.phaseCount));
}
