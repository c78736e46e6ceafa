// The engine side of the protocol: owns the GPU device, the model, the live adapter and the tokenizer, and
// answers each request kind. It touches no DOM and no worker globals, so tests and the CLI page can also run
// it in-thread; workers/engine.worker.ts only wires it to postMessage.
import { Gpu, GpuMemoryError, maxBinding } from '../engine/gpu/context.ts';
import { requestEngineDevice, type AdapterInfo } from '../engine/gpu/device.ts';
import { generate, generationRates } from '../engine/model/generate.ts';
import type { LlamaModel, TokenBatch } from '../engine/model/llama.ts';
import { exportPeftAdapter, loadAdapter, loadModel } from '../engine/model/loader.ts';
import { DownloadError, ModelConfigError, ModelFormatError } from '../engine/model/errors.ts';
import { openSource, sharedCache } from '../engine/storage/index.ts';
import type { CacheStore } from '../engine/storage/cache.ts';
import type { ModelFolder } from '../engine/storage/files.ts';
import { publicSpec, type ModelSourceSpec } from '../engine/storage/spec.ts';
import { LoraAdapter } from '../engine/model/lora.ts';
import { GRADIENTS_ONLY, LoraTrainer } from '../engine/train/trainer.ts';
import { loadTokenizer, missingBosWarning, type Tokenizer } from '../engine/model/tokenizer.ts';
import { parameterCount } from '../engine/model/weights.ts';
import { runBench } from '../bench/run.ts';
import { padBatch } from '../seal/core/batch.ts';
import { RunControl } from '../seal/core/control.ts';
import { applyTrack, modifiesBase, parseSealLab, runTrack, type LabEvent, type SealLabFile } from '../seal/tracks.ts';
import { runStore } from './run_store.ts';
import type { Api, DownloadRequestOptions, EngineEvent, RequestKind, LoraInfo, SourceRequest } from './api.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

type LabRolloutOf = Api['apply-self-edit']['res']['rollout'];

type Handlers = { [K in RequestKind]: (req: Api[K]['req'], emit: (e: EngineEvent) => void) => Promise<Api[K]['res']> };

export class EngineHost {
  private gpu: Gpu | null = null;
  private info: AdapterInfo | null = null;
  private lost: string | null = null;
  private model: LlamaModel | null = null;
  private adapter: LoraAdapter | null = null;
  private tokenizer: Tokenizer | null = null;
  private modelSource: ModelSourceSpec | null = null;
  private modelLabel = '';
  /** The load in progress, for cancel-load. */
  private loading: AbortController | null = null;
  private readonly cache: CacheStore;
  private sealLab: SealLabFile | null = null;
  /** A SEAL run merges adapters into the base weights; the next run reloads the untouched model first. */
  private baseModified = false;
  private run: RunControl | null = null;
  /** Whether a SEAL run is in progress (serve.ts hands it a student's self-edit instead of queueing it behind the run). */
  get running(): boolean {
    return this.run !== null;
  }

  /** A plain prompt without BOS is pointed out once per loaded model, not on every generate. */
  private bosWarned = false;

  constructor(private readonly gpuApi: GPU | undefined, opts: { cache?: CacheStore } = {}) {
    this.cache = opts.cache ?? sharedCache();
  }

  private specOf(req: SourceRequest): ModelSourceSpec {
    if (req.source) return req.source;
    if (typeof req.url === 'string') return { kind: 'url', url: req.url };
    throw new RangeError('load needs a source ({kind: "hub" | "url" | "files", ...}) or a url');
  }

  /** Opens a source with download events and cancellation; `fn` runs with it, and a bad checkpoint leaves no cache entry. */
  private async withSource<T>(
    spec: ModelSourceSpec, dl: DownloadRequestOptions | undefined, emit: (e: EngineEvent) => void, markers: string[],
    fn: (f: ModelFolder, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const abort = (this.loading = new AbortController());
    let folder: ModelFolder | null = null;
    try {
      folder = await openSource(spec, {
        cache: this.cache, markers, signal: abort.signal, retries: dl?.retries, retryDelayMs: dl?.retryDelayMs,
        onProgress: (p) => emit({ type: 'download', ...p }),
      });
      return await fn(folder, abort.signal);
    } catch (e) {
      // A checkpoint this engine cannot use is not kept: nothing of it stays marked complete in the cache.
      // (Network failures keep their partial files, so the next load resumes.)
      if (e instanceof ModelFormatError || e instanceof ModelConfigError) await folder?.evict?.().catch(() => {});
      throw e;
    } finally {
      if (this.loading === abort) this.loading = null;
    }
  }

  private need<T>(x: T | null, what: string): T {
    if (this.lost) throw new DeviceLostError(`The GPU device was lost (${this.lost}). Send init and load the model again.`);
    if (!x) throw new NotReadyError(`No ${what} loaded yet.`);
    return x;
  }

  /** Runs `fn` inside an out-of-memory error scope: a failed allocation becomes a GpuMemoryError. */
  private async guarded<T>(fn: (gpu: Gpu) => Promise<T>, cleanup: (v: T) => void): Promise<T> {
    const gpu = this.need(this.gpu, 'GPU device (send init first)');
    const oomError = (e: GPUError) =>
      new GpuMemoryError(`Out of GPU memory: ${e.message}. Try a smaller model, shorter sequences or a lower LoRA rank.`);
    gpu.device.pushErrorScope('out-of-memory');
    let v: T;
    try {
      v = await fn(gpu);
    } catch (e) {
      gpu.flush();
      // Keep the scope stack balanced on failures too; an allocation that failed first explains what followed.
      const oom = await gpu.device.popErrorScope().catch(() => null);
      throw oom ? oomError(oom) : e;
    }
    gpu.flush();
    const oom = await gpu.device.popErrorScope();
    if (oom) {
      cleanup(v);
      throw oomError(oom);
    }
    return v;
  }

  private batch(tokens: number[][]): TokenBatch {
    return padBatch(tokens.map((ids) => ({ ids, weights: ids.map(() => 1) }))).batch;
  }

  private loraInfo(a: LoraAdapter): LoraInfo {
    return { ...a.config, size: a.size };
  }

  private setAdapter(a: LoraAdapter): LoraInfo {
    this.adapter?.destroy();
    this.adapter = a;
    return this.loraInfo(a);
  }

  readonly handlers: Handlers = {
    init: async ({ maxBindingBytes }) => {
      if (maxBindingBytes !== undefined && !(Number.isFinite(maxBindingBytes) && maxBindingBytes >= 16)) {
        throw new RangeError(`maxBindingBytes must be at least 16 bytes, got ${maxBindingBytes}`);
      }
      this.model?.destroy();
      this.adapter?.destroy();
      this.model = this.adapter = null;
      const { device, info } = await requestEngineDevice(this.gpuApi);
      this.lost = null;
      device.lost.then((l) => { if (this.gpu?.device === device) this.lost = `${l.reason}: ${l.message}`; });
      this.gpu = new Gpu(device);
      // Only ever lower it: the adapter cannot bind more than its own limit.
      if (maxBindingBytes !== undefined) this.gpu.options.maxBindingBytes = Math.min(Math.floor(maxBindingBytes), maxBinding(this.gpu.limits));
      return (this.info = info);
    },

    'load-model': async (req, emit) => {
      const spec = this.specOf(req);
      let uploadSeconds = 0;
      const loaded = await this.withSource(spec, req.download, emit, ['config.json'], async (folder, signal) => {
        const model = await this.guarded((gpu) => loadModel(gpu, folder, {
          quantize: req.quantize,
          allowNonFinite: req.allowNonFinite,
          onProgress: (p) => {
            // cancel-load during the upload: uploadWeights releases what it made when this throws.
            if (signal.aborted) throw new DownloadError(`${folder.label}: cancelled`, { cancelled: true });
            emit({ type: 'upload', ...p });
            uploadSeconds = p.seconds;
          },
        }), (m) => m.destroy());
        try {
          const get = (n: string) => folder.get(n);
          const tokenizer = await loadTokenizer(get, { bosTokenId: model.cfg.bosTokenId });
          const lab = await get('seal_lab.json');
          let sealLab: SealLabFile | null = null;
          if (lab) {
            let raw: unknown;
            try {
              raw = JSON.parse(new TextDecoder().decode(lab));
            } catch (e) {
              throw new ModelConfigError(`seal_lab.json is not valid JSON: ${(e as Error).message}`, { source: 'seal_lab.json' });
            }
            sealLab = parseSealLab(raw);
          }
          return { model, tokenizer, sealLab, label: folder.label, commit: folder.commit ?? null };
        } catch (e) {
          model.destroy(); // nothing half-loaded: the previous model stays
          throw e;
        }
      });
      const { model, tokenizer, sealLab, label, commit } = loaded;
      this.adapter?.destroy();
      this.model?.destroy();
      Object.assign(this, { adapter: null, model, tokenizer, sealLab, modelSource: spec, modelLabel: label, baseModified: false, bosWarned: false });
      const w = model.weights;
      return {
        config: model.cfg, weightBytes: w.bytes, params: parameterCount(model.cfg),
        dtype: w.norm.dtype, // norms stay in the file's type whatever the matrices were quantised to
        quantization: w.quantization, embedShards: w.embed.shards.length, uploadSeconds,
        hasTokenizer: !!tokenizer, bosPolicy: tokenizer?.bosPolicy ?? null, sealLab,
        source: { spec: publicSpec(spec), label, commit },
      };
    },

    'load-adapter': async (req, emit) => {
      const model = this.need(this.model, 'model');
      const spec = this.specOf(req);
      const a = await this.withSource(spec, req.download, emit, ['adapter_config.json'], (folder) =>
        this.guarded(() => loadAdapter(model, folder), (x) => x.destroy()));
      return this.setAdapter(a);
    },

    'export-adapter': async ({ baseModel }) => {
      const adapter = this.need(this.adapter, 'adapter');
      const base = baseModel ?? (this.modelSource?.kind === 'hub' ? this.modelSource.repo : this.modelSource?.kind === 'url' ? this.modelSource.url : this.modelLabel);
      const { config, weights } = await exportPeftAdapter(adapter, base);
      return { adapterConfig: config, adapterModel: weights, info: this.loraInfo(adapter) };
    },

    'cache-list': async () => {
      const [models, { usage, quota }] = await Promise.all([this.cache.list(), this.cache.estimate()]);
      return { store: this.cache.kind, models, usage, quota };
    },

    'cache-delete': async (req) => {
      if ('all' in req && req.all) return { deleted: await this.cache.clear() };
      if (!('key' in req) || typeof req.key !== 'string') throw new RangeError('cache-delete needs {key} (from cache-list) or {all: true}');
      return { deleted: (await this.cache.delete(req.key)) ? 1 : 0 };
    },

    'cancel-load': async () => {
      const l = this.loading;
      l?.abort(new DOMException('the load was cancelled', 'AbortError'));
      return { cancelled: !!l };
    },

    'simulate-device-loss': async () => {
      this.gpu?.device.destroy();
      return { lost: !!this.gpu };
    },

    'new-adapter': async ({ config, seed }) => {
      const model = this.need(this.model, 'model');
      const a = await this.guarded(async (gpu) => new LoraAdapter(gpu, model.cfg, config), (x) => x.destroy());
      a.reset(seed);
      return this.setAdapter(a);
    },

    forward: async ({ tokens, adapter, logits }) => {
      const model = this.need(this.model, 'model');
      const b = this.batch(tokens);
      const t0 = performance.now();
      const out = await model.forward(b, { adapter: adapter ? this.need(this.adapter, 'adapter') : undefined, logits });
      return { loss: out.loss, shape: [b.B, b.T, model.cfg.vocabSize], logits: out.logits, seconds: (performance.now() - t0) / 1000 };
    },

    'lora-grad': async ({ tokens }) => {
      const model = this.need(this.model, 'model');
      const adapter = this.need(this.adapter, 'adapter');
      const b = this.batch(tokens);
      const t0 = performance.now();
      const trainer = new LoraTrainer(model, adapter, GRADIENTS_ONLY);
      try {
        const loss = await trainer.computeGradients([{ batch: b, lossMask: b.mask }]);
        const seconds = (performance.now() - t0) / 1000;
        return { loss, grads: Object.fromEntries(await adapter.export(trainer.grads)), seconds };
      } finally {
        trainer.destroy();
      }
    },

    generate: async ({ prompt, maxNewTokens, temperature, topP, seed, chat, adapter }, emit) => {
      const model = this.need(this.model, 'model');
      const tok = this.tokenizer;
      let ids: number[];
      const warnings: string[] = [];
      if (typeof prompt === 'string') {
        if (!tok) throw new NotReadyError('This model folder has no tokenizer.json: pass token ids instead of text.');
        ids = chat ? tok.chat([{ role: 'user', content: prompt }]) : tok.encodePrompt(prompt);
        const bos = chat || this.bosWarned ? null : missingBosWarning(model.cfg, tok, ids);
        if (bos) {
          warnings.push(bos);
          this.bosWarned = true;
        }
      } else ids = prompt;
      const t0 = performance.now();
      let first: number | null = null;
      const [out] = await generate(model, [ids], {
        maxNewTokens, temperature, topP, seed, adapter: adapter ? this.need(this.adapter, 'adapter') : undefined,
        onStep: ([s]) => {
          first ??= performance.now();
          emit({ type: 'tokens', tokens: [...s] });
        },
      });
      const t1 = performance.now();
      return {
        tokens: out, text: tok ? tok.decode(out) : null, promptIds: ids, promptTokens: ids.length, seconds: (t1 - t0) / 1000,
        ...generationRates(ids.length, out.length, t0, first, t1), warnings,
      };
    },

    memory: async () => {
      const gpu = this.need(this.gpu, 'GPU device (send init first)');
      return { allocatedBytes: gpu.allocatedBytes, peakAllocatedBytes: gpu.peakAllocatedBytes, workspaceBytes: this.model?.workspaceBytes ?? 0 };
    },

    'seal-run': async ({ stepMode, runId, resume, ...req }, emit) => {
      if (this.baseModified) await this.handlers['load-model']({ source: this.modelSource! }, emit);
      const model = this.need(this.model, 'model');
      const tok = this.need(this.tokenizer, 'tokenizer (SEAL needs tokenizer.json in the model folder)');
      const control = (this.run = new RunControl());
      if (stepMode) control.apply('step-mode');
      this.baseModified = modifiesBase(req);
      const store = runId ? runStore(runId) : null;
      try {
        return await runTrack({ model, tok, control, sealLab: this.sealLab, emit: (event) => emit({ type: 'seal', event }), store, resume: resume ?? [] }, req);
      } catch (e) {
        // Whatever failed after the device was lost failed because of it: say so (the UI then rebuilds the engine).
        // (The lost promise may settle just after the failed read that brought the run down: give it a moment.)
        const device = this.gpu?.device;
        const lost = this.lost ?? (device && (await Promise.race([device.lost.then((l) => `${l.reason}: ${l.message}`), sleep(250).then(() => null)])));
        if (lost) throw new DeviceLostError(`The GPU device was lost during the run (${lost}).`);
        throw e;
      } finally {
        control.close();
        this.run = null;
      }
    },

    'apply-self-edit': async ({ setup, edit }, emit) => {
      const send = (event: LabEvent) => emit({ type: 'seal', event });
      if (this.run) {
        // the run applies it at its next checkpoint, on its current generator (seal/core/control.ts atCheckpoint)
        const run = this.run;
        const rollout = await run.atCheckpoint(() => {
          if (!run.serve) throw new NotReadyError('The run has not started its loop yet: apply your self-edit at its first pause.');
          return run.serve(edit, send as (e: unknown) => void);
        });
        return { rollout: rollout as LabRolloutOf, during: 'run' as const };
      }
      // after a run: the model the run started from (a run merged its adapters into the base)
      if (this.baseModified) {
        await this.handlers['load-model']({ source: this.modelSource! }, emit);
        this.baseModified = false;
      }
      const model = this.need(this.model, 'model');
      const tok = this.need(this.tokenizer, 'tokenizer (SEAL needs tokenizer.json in the model folder)');
      const rollout = await applyTrack({ model, tok, control: new RunControl(), sealLab: this.sealLab, emit: send }, setup, edit);
      return { rollout: rollout as LabRolloutOf, during: 'model' as const };
    },

    control: async ({ action }) => {
      this.run?.apply(action);
      return { ...(this.run?.state ?? { paused: false, stepMode: false, stopped: false }), running: !!this.run };
    },

    bench: async (req, emit) => runBench(this.need(this.gpu, 'GPU device'), this.info!, req, this.model, (m) => emit({ type: 'log', message: m })),
  };

  /** Dispatches one request; the caller turns throws into error responses. */
  handle<K extends RequestKind>(kind: K, req: Api[K]['req'], emit: (e: EngineEvent) => void): Promise<Api[K]['res']> {
    return this.handlers[kind](req, emit);
  }
}
