// The benchmark bundled for Node with Dawn (tools/lab/node-bench/): built into a temporary folder as `npm run
// node-bench:build` builds it, then run as on the lent GPU machine, here on SwiftShader's Vulkan driver (the one
// Chromium ships; SEAL_GPU=1: Dawn's default adapter). It must find an adapter, load the golden model from its
// folder under Node and report the model rows: the path the device run depends on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findChrome } from '../../tools/lab/browser/chrome.ts';
import type { BenchReport } from '../../src/bench/types.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = mkdtempSync(join(tmpdir(), 'seal-node-bench-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** Dawn without a GPU: SwiftShader's ICD and library beside Chromium's binary. */
function swiftShaderEnv(): Record<string, string> {
  if (process.env.SEAL_GPU === '1') return {};
  const dirs = [dirname(realpathSync(findChrome())), '/usr/lib/chromium', '/usr/lib/chromium-browser', '/opt/google/chrome'];
  const dir = dirs.find((d) => existsSync(join(d, 'vk_swiftshader_icd.json')));
  if (!dir) throw new Error(`no vk_swiftshader_icd.json beside Chromium (looked in ${dirs.join(', ')})`);
  return { VK_ICD_FILENAMES: join(dir, 'vk_swiftshader_icd.json'), LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

describe('node-bench bundle (Node + Dawn)', () => {
  it('builds one file that runs the model rows on a WebGPU adapter', () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'tools/lab/node-bench/build.ts', OUT], { cwd: ROOT, stdio: 'pipe' });
    expect(existsSync(join(OUT, 'bench.mjs'))).toBe(true);
    const json = execFileSync(process.execPath, [
      join(OUT, 'bench.mjs'), '--json', '--sections', 'model', '--sizes', 'none', '--prefill', '8', '--decode', '3', '--train', '8', '--rank', '2',
    ], { cwd: ROOT, env: { ...process.env, ...swiftShaderEnv() }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 }).toString();
    const r = JSON.parse(json) as BenchReport;
    expect(r.runtime?.kind).toBe('node-dawn');
    if (process.env.SEAL_GPU !== '1') expect(r.adapter.architecture).toBe('swiftshader');
    expect(r.model).toMatchObject({ layers: 2, hidden: 64, vocab: 260, path: 'tests/golden/llama3-f32/model' });
    for (const k of ['prefill', 'decode', 'train'] as const) expect(r[k]!.tokPerS).toBeGreaterThan(0);
    // Dawn has timestamp queries on SwiftShader too: the decode step's kernel profile, with the fused RoPE + KV append
    const profile = r.decode!.profile!;
    expect(profile.kernels.map((k) => k.label)).toContain('rope_append');
    expect(profile.kernelMsPerStep).toBeGreaterThan(0);
    expect(r.matmul.map((m) => m.case)).toContain('model lm_head'); // the model's GEMM rows, nothing else
    expect(r.quantization).toBeNull();
    expect(r.shape).toBeNull();
  }, 300_000);
});
