// The engine worker, its WebGPU device and the loaded model. A failed or cancelled load keeps the model the
// engine had (the worker does too).
import type { StateCreator } from 'zustand';
import type { AdapterInfo } from '../../engine/gpu/device.ts';
import { EngineClient } from '../../protocol/client.ts';
import type { ModelInfo, ModelSourceSpec } from '../../protocol/api.ts';
import { initialModelUrl } from '../model_url.ts';
import { isCancelled, loadErrorMessage, NO_PROGRESS, progressFolder, sourceLabel, toSpec, type LoadProgress, type Quantize } from '../model_source.ts';
import type { LabState } from '../state.ts';
import { IDLE_RUN } from './run.ts';
import { labError } from './errors.ts';

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

export interface EngineSlice {
  /** The engine worker (null until connect). */
  client: EngineClient | null;
  gpu: GpuState;
  model: ModelState;
  /** Quantisation for the next load. */
  quantize: Quantize;
  connect(): Promise<void>;
  retryGpu(): Promise<void>;
  /** A folder URL, any source, or (nothing) the current one again. */
  loadModel(source?: string | ModelSourceSpec): Promise<void>;
  cancelLoad(): Promise<void>;
  setQuantize(q: Quantize): void;
}

export const engineSlice: StateCreator<LabState, [], [], EngineSlice> = (set, get) => {
  /** init on the worker: the adapter, or why there is none. */
  const init = async (client: EngineClient) => {
    set({ gpu: { kind: 'loading' } });
    try {
      const info = await client.call('init', {});
      set({ gpu: { kind: 'ready', info } });
      return true;
    } catch (e) {
      const err = e as Error;
      set({ gpu: { kind: 'error', title: err.name === 'NoWebGpuError' ? 'WebGPU unavailable' : 'Could not create a GPU device', message: err.message } });
      return false;
    }
  };
  const url0 = initialModelUrl();

  return {
    client: null,
    gpu: { kind: 'loading' },
    model: { status: 'idle', url: url0, source: { kind: 'url', url: url0 }, info: null, seconds: null, load: NO_PROGRESS, lastFailure: null },
    quantize: 'auto',

    async connect() {
      if (get().client) return;
      let client: EngineClient;
      try {
        client = EngineClient.start();
      } catch (e) {
        set({ gpu: { kind: 'error', title: 'Could not start the engine worker', message: (e as Error).message } });
        return;
      }
      set({ client });
      if (await init(client)) await get().loadModel();
    },

    async retryGpu() {
      get().client?.terminate();
      const client = EngineClient.start();
      set({ client, run: IDLE_RUN, model: { ...get().model, status: 'idle', info: null, load: NO_PROGRESS } });
      if (await init(client)) await get().loadModel();
    },

    async loadModel(input) {
      const { client } = get();
      if (!client || get().run.status === 'running' || get().model.status === 'loading') return;
      let spec: ModelSourceSpec;
      try {
        spec = input === undefined ? get().model.source : toSpec(input);
      } catch (e) {
        get().fail('Model source', e);
        return;
      }
      const url = sourceLabel(spec);
      const before = get().model;
      const t0 = performance.now();
      set({ model: { status: 'loading', url, source: spec, info: null, seconds: null, load: NO_PROGRESS, lastFailure: null } });
      const progress = progressFolder((load) => set((st) => (st.model.status === 'loading' && st.model.url === url ? { model: { ...st.model, load } } : {})));
      try {
        const info = await client.call('load-model', { source: spec, quantize: get().quantize }, progress.onEvent);
        set({ model: { status: 'ready', url, source: spec, info, seconds: (performance.now() - t0) / 1000, load: progress.current(), lastFailure: null } });
      } catch (e) {
        const cancelled = isCancelled(e);
        const err = e as Error;
        const lastFailure = { cancelled, name: err.name ?? 'Error', message: err.message ?? String(e), label: url };
        // The engine keeps the model it had: so does the lab.
        const model: ModelState = before.status === 'ready' && before.info
          ? { ...before, lastFailure }
          : { status: 'error', url, source: spec, info: null, seconds: null, load: progress.current(), lastFailure };
        set({ model, ...(!cancelled && { error: { ...labError(`Loading the model from ${url}`, e), message: loadErrorMessage(e) } }) });
      }
      void get().refreshCache();
    },

    async cancelLoad() {
      const { client } = get();
      if (!client || get().model.status !== 'loading') return;
      try {
        await client.call('cancel-load', {});
      } catch (e) {
        get().fail('Cancelling the load', e);
      }
    },

    setQuantize(q) {
      set({ quantize: q });
    },
  };
};
