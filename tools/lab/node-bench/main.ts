// The benchmark under Node with Dawn (npm `webgpu`), for machines with a GPU but no browser (the lent GPU machine:
// tools/lab/node-bench/README.md). Same flags and the same src/bench/ code as `npm run bench`; the engine gets a
// GPUDevice from Dawn instead of navigator.gpu. Bundled into one file by build.ts (`npm run node-bench:build`);
// `webgpu` stays outside the bundle and is found beside it (.gpu/node_modules/webgpu). Tokens are ids: no tokenizer.
import { existsSync, openAsBlob, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { create, globals } from 'webgpu';
import { runBench } from '../../../src/bench/run.ts';
import { Gpu } from '../../../src/engine/gpu/context.ts';
import { requestEngineDevice } from '../../../src/engine/gpu/device.ts';
import { loadModel } from '../../../src/engine/model/loader.ts';
import { blobFile, type ModelFolder } from '../../../src/engine/storage/files.ts';
import { UsageError } from '../cli/args.ts';
import { parseBenchArgs, USAGE, type InnerWorkload } from '../bench/request.ts';
import { summary } from '../bench/summary.ts';

/**
 * Dawn's GPU object, held for the whole run: dawn.node tears the instance down when this object is garbage
 * collected, and a device still in use then crashes the process (mutex assertions, SIGSEGV) a few submits later.
 */
let dawn: GPU | null = null;

/** A local model folder for the engine's loader: small files read whole, weights opened as Blobs (read by range). */
function nodeFolder(dir: string): ModelFolder {
  const path = (name: string) => join(dir, name);
  const exists = (name: string) => existsSync(path(name)) && statSync(path(name)).isFile();
  return {
    label: dir,
    get: async (name) => (exists(name) ? new Uint8Array(readFileSync(path(name))).buffer : null),
    open: async (name) => (exists(name) ? blobFile(name, await openAsBlob(path(name))) : null),
  };
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE.replace('npm run bench --', 'node .gpu/bench.mjs')}\n(under Node: no --peer; default --model tests/golden/llama3-f32/model)\n`);
    return;
  }
  const a = parseBenchArgs(argv, 'tests/golden/llama3-f32/model');
  if (a.peer) throw new UsageError('--peer needs Chromium (npm run bench)');
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, … as in a browser
  // Dawn's flags (e.g. SEAL_DAWN_FLAGS="backend=vulkan adapter=NVIDIA"): see the webgpu package's README.
  dawn = create((process.env.SEAL_DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean));
  const { device, info } = await requestEngineDevice(dawn);
  device.lost.then((l) => { if (l.reason !== 'destroyed') log(`device lost: ${l.message}`); }, () => {});
  log(`adapter: ${info.vendor} / ${info.architecture} / ${info.description}`);
  const gpu = new Gpu(device);
  const model = a.model ? await loadModel(gpu, nodeFolder(resolve(a.model))) : null;
  const r = await runBench(gpu, info, a.req, model, log);
  if (r.model && a.model) r.model.path = a.model;
  // inner loops: each workload on its model (a file made by tools/lab/bench/inner_workloads.ts: no tokenizer here)
  if (a.inner.workloads && (!a.req.sections || a.req.sections.includes('inner'))) {
    for (const w of JSON.parse(readFileSync(a.inner.workloads, 'utf8')) as InnerWorkload[]) {
      const m = await loadModel(gpu, nodeFolder(resolve(w.model)));
      // --inner-slots / --inner-rollouts on the command line override the file's (a shorter rehearsal)
      const inner = { ...w.workload, ...(argv.includes('--inner-slots') && { slots: a.inner.slots }), ...(argv.includes('--inner-rollouts') && { rollouts: a.inner.rollouts }) };
      const x = await runBench(gpu, info, { ...a.req, matmulSizes: [], sections: ['inner'], inner }, m, log);
      (r.inner ??= []).push(...(x.inner ?? []));
      m.destroy();
    }
  }
  r.runtime = { kind: 'node-dawn', detail: `Node ${process.version} with Dawn (npm webgpu), ${process.platform}-${process.arch}` };
  model?.destroy();
  device.destroy();
  dawn = null;
  const text = JSON.stringify(r, null, 2);
  if (a.out) {
    writeFileSync(a.out, text + '\n');
    process.stdout.write(summary(r) + '\n');
  } else process.stdout.write((a.json ? text : summary(r)) + '\n');
}

try {
  await main(process.argv.slice(2));
  process.exit(0); // Dawn keeps the event loop alive
} catch (e) {
  const err = e as Error;
  process.stderr.write(`${err.name || 'Error'}: ${err.message}\n${err instanceof UsageError ? `${USAGE}\n` : ''}`);
  if (process.env.SEAL_DEBUG && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(err instanceof UsageError ? 2 : 1);
}
