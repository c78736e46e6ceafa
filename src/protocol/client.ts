// The UI side of the protocol: typed calls that resolve with the result or reject with the worker's error
// (same name and message), plus a stream of progress events per call.
import { EngineError, type Api, type EngineEvent, type RequestKind, type Request, type Response } from './api.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onEvent?: (e: EngineEvent) => void;
}

export class EngineClient {
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (e: MessageEvent<Response>) => {
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.kind === 'event') return p.onEvent?.(msg.event);
      this.pending.delete(msg.id);
      if (msg.kind === 'result') p.resolve(msg.result);
      else p.reject(new EngineError(msg.error));
    });
    // A worker that dies (script error, browser killed it) fails every pending call instead of hanging it.
    worker.addEventListener('error', (e) => this.failAll(new EngineError({ name: 'WorkerError', message: e.message || 'engine worker crashed' })));
  }

  /** Starts the engine worker bundled by Vite. */
  static start(): EngineClient {
    return new EngineClient(new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'seal-engine' }));
  }

  call<K extends RequestKind>(kind: K, req: Api[K]['req'], onEvent?: (e: EngineEvent) => void): Promise<Api[K]['res']> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.worker.postMessage({ ...req, kind, id } as Request);
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  terminate(): void {
    this.failAll(new EngineError({ name: 'AbortError', message: 'engine worker terminated' }));
    this.worker.terminate();
  }
}
