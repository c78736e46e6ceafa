// Wires an EngineHost to a message port (the worker's global scope): one request at a time, in order, so
// GPU work never interleaves; results and errors go back with the request id.
import { EngineHost } from './host.ts';
import { toWire, type Request, type Response } from './api.ts';

interface Port {
  postMessage(msg: Response, transfer?: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<Request>) => void): void;
}

/** Typed-array payloads (logits, gradients, exported files) move instead of being copied. */
function transferables(x: unknown, out: Transferable[] = []): Transferable[] {
  if (x instanceof Float32Array || x instanceof Uint8Array) {
    const b = x.buffer;
    if (b instanceof ArrayBuffer && !out.includes(b)) out.push(b);
  } else if (x && typeof x === 'object') for (const v of Object.values(x)) transferables(v, out);
  return out;
}

export function serveEngine(port: Port, gpu: GPU | undefined): EngineHost {
  const host = new EngineHost(gpu);
  let queue = Promise.resolve();
  port.addEventListener('message', (e) => {
    const { kind, id, ...req } = e.data;
    // A student's self-edit during a run goes to the run (applied at its next checkpoint), not behind it in the queue.
    const toRun = kind === 'apply-self-edit' && host.running;
    if (toRun || kind === 'control' || kind === 'cancel-load' || kind === 'simulate-device-loss' || kind === 'memory') {
      // Pause/Step/Stop and Cancel must reach a run or load that is still working through the queue.
      host.handle(kind, req as never, (event) => port.postMessage({ kind: 'event', id, event })).then(
        (result) => port.postMessage({ kind: 'result', id, result }),
        (err) => port.postMessage({ kind: 'error', id, error: toWire(err) }));
      return;
    }
    queue = queue.then(async () => {
      try {
        const result = await host.handle(kind, req as never, (event) => port.postMessage({ kind: 'event', id, event }));
        port.postMessage({ kind: 'result', id, result }, transferables(result));
      } catch (err) {
        port.postMessage({ kind: 'error', id, error: toWire(err) });
      }
    });
  });
  return host;
}
