// The CLI's page: starts the engine worker and exposes window.seal for Node (tools/lab/cli/launch.ts). Results are
// made JSON-plain here (typed arrays → arrays) and errors come back as values, so their name survives
// page.evaluate intact. Progress events go to Node through the exposed window.sealEvent.
import { EngineClient } from '../../../src/protocol/client.ts';
import type { EngineEvent, RequestKind } from '../../../src/protocol/api.ts';

declare global {
  interface Window {
    sealEvent(id: number, e: EngineEvent): Promise<void>;
  }
}

/** Bytes (exported files) cross as base64: far smaller and faster than a number array. */
function base64(b: Uint8Array): { __base64: string } {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return { __base64: btoa(s) };
}

const plain = (x: unknown): unknown =>
  x instanceof Uint8Array ? base64(x)
  : ArrayBuffer.isView(x) ? Array.from(x as Float32Array)
  : Array.isArray(x) ? x.map(plain)
  : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]))
  : x;

const client = EngineClient.start();

window.seal = async (id, kind, req) => {
  try {
    const r = await client.call(kind as RequestKind, req as never, (e) => void window.sealEvent(id, e));
    return { ok: plain(r) };
  } catch (e) {
    const err = e as Error;
    return { error: { name: err.name || 'Error', message: err.message ?? String(e) } };
  }
};
