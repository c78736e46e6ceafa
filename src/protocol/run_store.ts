// A run's M-step adapters, kept where the worker can find them after a reload or a crash: the Origin Private File
// System (seal-lab-runs/<run>/round-<r>.f32), or memory where there is none (then a reload loses them and the
// resumed run trains those M-steps again, with the same result). The engine's Dir abstraction does the I/O.
import { MemDir, OpfsDir, type Dir } from '../engine/storage/cache_dir.ts';
import type { GeneratorStore } from '../seal/core/journal.ts';

const ROOT = 'seal-lab-runs';
let memory: MemDir | null = null;

async function top(): Promise<Dir> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (storage?.getDirectory) return new OpfsDir(await storage.getDirectory());
  return (memory ??= new MemDir());
}

async function runDir(run: string, create: boolean): Promise<Dir | null> {
  const root = await (await top()).dir(ROOT, create);
  return root ? root.dir(run.replace(/[^A-Za-z0-9._-]/g, '_'), create) : null;
}

export function runStore(run: string): GeneratorStore {
  return {
    async save(round, params) {
      const d = (await runDir(run, true))!;
      const sink = await d.writeFile(`round-${round}.f32`);
      await sink.write(new Uint8Array(params.buffer, params.byteOffset, params.byteLength));
      await sink.close();
    },
    async load(round) {
      const f = await (await runDir(run, false))?.file(`round-${round}.f32`);
      return f ? new Float32Array(await f.arrayBuffer()) : null;
    },
  };
}

/** Forgets a run's adapters (the run was deleted). */
export async function deleteRunStore(run: string): Promise<void> {
  await (await (await top()).dir(ROOT, false))?.remove(run.replace(/[^A-Za-z0-9._-]/g, '_'));
}
