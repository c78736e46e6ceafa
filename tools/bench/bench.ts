// `npm run bench -- [--json] [--model DIR|URL] [--sizes 256,512,1024] [--prefill 64 --decode 16 --train 64 --rank 8]`:
// the engine's benchmark (src/bench/) in headless Chromium through the CLI's launcher. Default model:
// the tiny golden Llama. --json: only the JSON on stdout (progress on stderr); otherwise a readable summary.
import { resolve } from 'node:path';
import { intList, num, parseFlags, UsageError } from '../cli/args.ts';
import { ROOT, runMain } from '../cli/launch.ts';
import type { BenchReport } from '../../src/bench/types.ts';

const USAGE = `Usage: npm run bench -- [--json] [--model DIR|URL] [--sizes 256,512,1024]
                       [--prefill 64] [--decode 16] [--train 64] [--rank 8]`;
const DEFAULT_MODEL = resolve(ROOT, 'tests/golden/llama3-f32/model');

function summary(r: BenchReport): string {
  const a = r.adapter;
  const lines = [`adapter: ${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}`, 'matmul (C = A·Bᵀ):'];
  for (const m of r.matmul) {
    lines.push(`  ${m.case.padEnd(28)} ${`${m.M}×${m.N}×${m.K}`.padEnd(16)} ${String(m.gflops).padStart(8)} GFLOP/s` +
      (m.ratio ? `   plain kernel ${m.baselineGflops} → ×${m.ratio}` : ''));
  }
  for (const c of r.cpuBaseline.results) {
    lines.push(`  CPU JS ${c.n}³: ${c.gflops} GFLOP/s, GPU ×${c.ratio}`);
  }
  const m = r.model;
  if (m) {
    lines.push(`model: ${m.path} (${m.arch}, ${m.layers} layers, hidden ${m.hidden}, ${m.params} params, ${m.dtype})`);
    for (const k of ['prefill', 'decode', 'train'] as const) {
      const x = r[k];
      if (!x) continue;
      lines.push(`  ${k.padEnd(8)} ${String(x.tokPerS).padStart(9)} tok/s   plain GEMM ${x.baselineTokPerS} → ×${x.ratio}`);
    }
  }
  const q = r.quantization;
  if (q && 'formats' in q) {
    lines.push('quantization (same model; ratios to the first row):');
    lines.push(`  ${'format'.padEnd(6)} ${'weights'.padStart(12)} ${'read/token'.padStart(12)} ${'prefill'.padStart(9)} ${'decode'.padStart(9)} ${'train'.padStart(9)} tok/s   logits rel`);
    for (const f of q.formats) {
      lines.push(`  ${f.format.padEnd(6)} ${String(f.weightBytes).padStart(12)} ${String(f.weightBytesPerToken).padStart(12)} ${String(f.prefillTokPerS).padStart(9)} ` +
        `${String(f.decodeTokPerS).padStart(9)} ${String(f.trainTokPerS).padStart(9)}         ${f.logitsRel}` +
        `   (bytes ×${f.perTokenRatio}, decode ×${f.decodeRatio})`);
    }
  } else if (q) lines.push(`quantization: ${q.note}`);
  const g = r.guards;
  if (g) {
    lines.push(`guards: LoRA training ${g.trainTokPerS} tok/s with the non-finite check, ${g.trainTokPerSWithoutGuard} without (cost ${g.trainCostPct} %); ` +
      `load-time NaN/Inf count over ${g.loadCheckElements} weights ${g.loadCheckSeconds} s`);
  }
  return lines.join('\n');
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) process.stdout.write(USAGE + '\n');
else {
  await runMain('bench', USAGE, async (open) => {
    const f = parseFlags(argv, { json: 'boolean', model: 'string', sizes: 'string', prefill: 'string', decode: 'string', train: 'string', rank: 'string' });
    const req = {
      matmulSizes: typeof f.sizes === 'string' ? intList(f.sizes, '--sizes') : [256, 512, 1024],
      prefillTokens: num(f, 'prefill', 64, { int: true, min: 1 }),
      decodeTokens: num(f, 'decode', 16, { int: true, min: 1 }),
      trainTokens: num(f, 'train', 64, { int: true, min: 1 }),
      loraRank: num(f, 'rank', 8, { int: true, min: 1 }),
    };
    if (req.matmulSizes.some((n) => n < 1)) throw new UsageError('--sizes must be positive');
    const modelPath = typeof f.model === 'string' ? f.model : DEFAULT_MODEL;
    const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
    progress('starting headless Chromium...');
    const engine = await open();
    await engine.call('init', {});
    await engine.call('load-model', { url: engine.resolve(modelPath) });
    const r = await engine.call('bench', req, (e) => { if (e.type === 'log') progress(e.message); });
    if (r.model) r.model.path = modelPath;
    process.stdout.write((f.json ? JSON.stringify(r, null, 2) : summary(r)) + '\n');
  });
}
