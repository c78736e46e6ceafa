// `npm run test:scale`: the engine at Llama-3.2-1B scale, through the CLI, against the PyTorch reference. Opt-in
// (minutes and ~8 GB of RAM; not part of `npm test`). It writes a random-weight checkpoint with Llama-3.2-1B-
// Instruct's exact config and tensor names (checkpoint.ts; streamed, under /tmp, reused when already there), then
// runs `seal forward` (a 2-sequence batch), `seal generate` (greedy, with the chat template when Llama-3's
// tokenizer is installed), `seal lora-grad` (r 16 on q_proj, v_proj) and `seal forward` again with
// --max-binding-mb lowered so the embedding is row-sharded, then tools/verify/reference/ref_run.py on the same inputs;
// compares logits, losses, greedy tokens and gradients, and prints times and peak memory. Exit 1 when a check fails.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { num, parseFlags, UsageError } from '../../lab/cli/args.ts';
import { estimateMemory } from '../../../src/engine/model/memory.ts';
import { readSafetensors } from '../../../src/engine/model/safetensors.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { run, type Ran } from './procs.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const USAGE = `Usage: npm run test:scale -- [--layers N (16)] [--dir DIR (/tmp/seal-scale)] [--new-tokens N (4)]
  [--max-binding-mb N (128)] [--seed S (1)] [--std X (0.02)] [--out FILE (DIR/report.json)] [--clean]
--layers 2 runs the same shapes with 2 decoder layers (a quicker check while developing). --clean deletes the
checkpoint afterwards (by default it stays, and a later run with the same settings reuses it).
Python: $SEAL_PYTHON or /usr/bin/python3 (with torch). On a shared machine run it under nice.`;

/** Two sequences of Llama-3 ids (BOS first), unequal lengths so that padding is masked. */
const SEQS = [[128000, 791, 6864, 315, 9822, 374, 12366, 13, 578, 6864, 315, 9822], [128000, 9906, 1917, 0, 1115, 374, 264]];
const CHAT_PROMPT = 'What is the capital of France?';
/** Bounds (the golden tests' at 1B scale, where every logit sums 2048 products): the measured values are far below. */
const BOUNDS = { logitsAbs: 1e-3, loss: 1e-4, gradRel: 1e-3 };

const flags = (() => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  try {
    return parseFlags(argv, { layers: 'string', dir: 'string', 'new-tokens': 'string', 'max-binding-mb': 'string', seed: 'string', std: 'string', out: 'string', clean: 'boolean' });
  } catch (e) {
    process.stderr.write(`test:scale: ${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
})();

const options = () => ({
  layers: num(flags, 'layers', 16, { int: true, min: 1, max: 16 }),
  newTokens: num(flags, 'new-tokens', 4, { int: true, min: 1 }),
  bindingMb: num(flags, 'max-binding-mb', 128, { min: 1 }),
  seed: num(flags, 'seed', 1, { int: true, min: 0 }),
  std: num(flags, 'std', 0.02, { min: 1e-6 }),
});
const base = resolve(typeof flags.dir === 'string' ? flags.dir : '/tmp/seal-scale');
const work = join(base, 'out');
const reportFile = typeof flags.out === 'string' ? resolve(flags.out) : join(base, 'report.json');
const log = (s: string) => process.stderr.write(`${s}\n`);
const gb = (n: number | null) => (n === null ? '–' : `${(n / 1e9).toFixed(2)} GB`);
const echo = (line: string) => !/^npm warn/.test(line);

let nodePeak = process.memoryUsage().rss;
const nodeTimer = setInterval(() => (nodePeak = Math.max(nodePeak, process.memoryUsage().rss)), 200);

interface CliRun extends Ran {
  json: Record<string, unknown>;
  loadSeconds: number | null;
}

async function seal(label: string, args: string[]): Promise<CliRun> {
  const out = join(work, `${label}.json`);
  log(`${label}: seal ${args.join(' ')}`);
  const r = await run('npx', ['tsx', 'tools/lab/cli/seal.ts', ...args, '--out', out], { cwd: ROOT, label, echo });
  if (r.code !== 0) throw new Error(`${label}: seal exited ${r.code}\n${r.stderr.split('\n').slice(-8).join('\n')}`);
  const load = /loaded in ([\d.]+) s/.exec(r.stderr);
  return { ...r, json: JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>, loadSeconds: load ? Number(load[1]) : null };
}

type Rate = { tokens: number; seconds: number; tokensPerSecond: number | null };

function compareLogits(rows: number[][][], ref: Float32Array, T: number, V: number): { maxAbs: number; scale: number } {
  let maxAbs = 0;
  let scale = 0;
  rows.forEach((seq, b) => seq.forEach((row, t) => {
    for (let v = 0; v < V; v++) {
      const want = ref[(b * T + t) * V + v];
      maxAbs = Math.max(maxAbs, Math.abs(row[v] - want));
      scale = Math.max(scale, Math.abs(want));
    }
  }));
  return { maxAbs, scale };
}

/** Largest |a − b| over two equally shaped [sequence][position][vocab] arrays (Infinity when the shapes differ). */
function maxDiff(a: number[][][], b: number[][][]): number {
  let d = 0;
  if (a.length !== b.length) return Infinity;
  a.forEach((seq, i) => {
    if (seq.length !== b[i].length) d = Infinity;
    else seq.forEach((row, t) => row.forEach((x, v) => (d = Math.max(d, Math.abs(x - b[i][t][v])))));
  });
  return d;
}

async function main(): Promise<number> {
  const opt = options();
  const dir = join(base, opt.layers === 16 ? 'llama-3.2-1b' : `llama-3.2-1b-${opt.layers}-layers`);
  mkdirSync(work, { recursive: true });
  const device = await seal('device', ['device']);
  const limits = (device.json.limits ?? {}) as Record<string, number>;
  const adapterLimit = Math.min(limits.maxStorageBufferBindingSize ?? Infinity, limits.maxBufferSize ?? Infinity);
  const ck = writeCheckpoint({ dir, layers: opt.layers, seed: opt.seed, std: opt.std }, ROOT, log);
  const tokens = SEQS.map((s) => s.join(',')).join(';');
  const B = SEQS.length;
  const T = Math.max(...SEQS.map((s) => s.length));
  const V = ck.cfg.vocabSize;

  const fwd = await seal('forward', ['forward', '--model', dir, '--tokens', tokens]);
  const prompt = ck.tokenizer === 'llama3' ? ['--prompt', CHAT_PROMPT, '--chat'] : ['--prompt-ids', SEQS[0].slice(0, 8).join(',')];
  const gen = await seal('generate', ['generate', '--model', dir, ...prompt, '--max-new-tokens', String(opt.newTokens), '--temperature', '0']);
  const grad = await seal('lora-grad', ['lora-grad', '--model', dir, '--adapter', ck.adapterDir, '--tokens', tokens]);
  const sharded = await seal('forward-sharded', ['forward', '--model', dir, '--tokens', tokens, '--max-binding-mb', String(opt.bindingMb)]);

  const python = process.env.SEAL_PYTHON ?? '/usr/bin/python3';
  const promptIds = gen.json.promptIds as number[];
  const refOut = join(work, 'reference');
  log(`reference: ${python} tools/verify/reference/ref_run.py`);
  const ref = await run(python, ['tools/verify/reference/ref_run.py', '--model', dir, '--tokens', tokens, '--adapter', ck.adapterDir,
    '--greedy-prompt', promptIds.join(','), '--greedy-n', String((gen.json.tokens as number[]).length), '--out', refOut], { cwd: ROOT, label: 'reference' });
  if (ref.code !== 0) throw new Error(`reference exited ${ref.code}\n${ref.stderr.slice(-2000)}`);
  const refJson = JSON.parse(readFileSync(`${refOut}.json`, 'utf8')) as {
    loss: number; loss_lora: number; greedy: number[]; greedy_min_gap: number; seconds: Record<string, number>; max_rss_bytes: number; threads: number;
  };
  const refT = readSafetensors(new Uint8Array(readFileSync(`${refOut}.safetensors`)));

  // Comparisons.
  const logits = compareLogits(fwd.json.logits as number[][][], refT.f32('logits'), T, V);
  const shardLogits = maxDiff(sharded.json.logits as number[][][], fwd.json.logits as number[][][]);
  const grads = grad.json.grads as Record<string, number[]>;
  let gradWorst = 0;
  let gradWorstKey = '';
  for (const [k, g] of Object.entries(grads)) {
    const want = refT.f32(`grad.${k}`);
    let d = 0;
    let m = 0;
    for (let i = 0; i < want.length; i++) {
      d = Math.max(d, Math.abs(g[i] - want[i]));
      m = Math.max(m, Math.abs(want[i]));
    }
    if (d / m > gradWorst) [gradWorst, gradWorstKey] = [d / m, k];
  }
  const genTokens = gen.json.tokens as number[];
  const model = fwd.json.model as { embedShards: number; params: number; weightBytes: number };
  const shardModel = sharded.json.model as { embedShards: number };
  const gpuOf = (r: CliRun) => r.json.gpu as { allocatedBytes: number; peakAllocatedBytes: number };
  const estimate = estimateMemory(ck.cfg, {
    dtype: 'bf16', batch: B, seqLen: T, rows: B * T, trainRows: B * T, loraRank: 16, loraTargets: ['q_proj', 'v_proj'], maxBindingBytes: adapterLimit,
  });
  const checks = {
    logits: { value: logits.maxAbs, bound: BOUNDS.logitsAbs, ok: logits.maxAbs <= BOUNDS.logitsAbs },
    loss: { value: Math.abs((fwd.json.loss as number) - refJson.loss), bound: BOUNDS.loss, ok: Math.abs((fwd.json.loss as number) - refJson.loss) <= BOUNDS.loss },
    lossLora: { value: Math.abs((grad.json.loss as number) - refJson.loss_lora), bound: BOUNDS.loss, ok: Math.abs((grad.json.loss as number) - refJson.loss_lora) <= BOUNDS.loss },
    gradients: { value: gradWorst, bound: BOUNDS.gradRel, ok: gradWorst <= BOUNDS.gradRel, worst: gradWorstKey, tensors: Object.keys(grads).length },
    greedy: { engine: genTokens, reference: refJson.greedy, ok: genTokens.join() === refJson.greedy.join(), minTopGap: refJson.greedy_min_gap },
    sharded: {
      embedShards: shardModel.embedShards, unshardedEmbedShards: model.embedShards, logitsMaxAbs: shardLogits,
      loss: sharded.json.loss, ok: shardModel.embedShards > 1 && shardLogits === 0 && sharded.json.loss === fwd.json.loss,
    },
  };
  const prefill = gen.json.prefill as Rate;
  const decode = gen.json.decode as Rate;
  const report = {
    adapter: [device.json.vendor, device.json.architecture, device.json.description].filter(Boolean).join(' '),
    checkpoint: { dir, layers: opt.layers, bytes: ck.bytes, params: model.params, tokenizer: ck.tokenizer, writeSeconds: ck.seconds, seed: opt.seed, std: opt.std },
    batch: { sequences: B, lengths: SEQS.map((s) => s.length) },
    times: {
      forward: { wall: fwd.seconds, load: fwd.loadSeconds, forward: fwd.json.seconds, perToken: (fwd.json.seconds as number) / SEQS.flat().length },
      generate: { wall: gen.seconds, load: gen.loadSeconds, promptTokens: promptIds.length, prefill, decode },
      loraGrad: { wall: grad.seconds, load: grad.loadSeconds, seconds: grad.json.seconds },
      forwardSharded: { wall: sharded.seconds, load: sharded.loadSeconds, forward: sharded.json.seconds, maxBindingMb: opt.bindingMb },
      reference: { wall: ref.seconds, ...refJson.seconds, threads: refJson.threads },
    },
    memory: {
      weightBytes: model.weightBytes,
      engineGpu: { forward: gpuOf(fwd), generate: gpuOf(gen), loraGrad: gpuOf(grad), forwardSharded: gpuOf(sharded) },
      estimateLoraGrad: { total: estimate.total, parts: Object.fromEntries(estimate.parts.map((p) => [p.name, p.bytes])) },
      cliTreePeakPss: { forward: fwd.peakBytes, generate: gen.peakBytes, loraGrad: grad.peakBytes, forwardSharded: sharded.peakBytes },
      referencePeakRss: refJson.max_rss_bytes,
      harnessPeakRss: nodePeak,
    },
    checks,
  };
  writeFileSync(reportFile, JSON.stringify(report, null, 1) + '\n');

  const s = (x: unknown, d = 1) => (typeof x === 'number' ? x.toFixed(d) : '–');
  const rate = (r: Rate) => `${r.tokens} tok in ${s(r.seconds, 2)} s (${r.tokensPerSecond === null ? '–' : r.tokensPerSecond.toPrecision(3)} tok/s)`;
  const ok = (b: boolean) => (b ? 'ok' : 'FAIL');
  process.stdout.write([
    `Scale test: Llama-3.2-1B shape, ${opt.layers} layers, ${(model.params / 1e9).toFixed(3)} B params, ${gb(ck.bytes)} bf16; ${report.adapter}`,
    `  checkpoint written in ${s(ck.seconds, 0)} s${ck.seconds ? '' : ' (reused)'}; tokenizer ${ck.tokenizer}`,
    `  forward          load ${s(fwd.loadSeconds)} s, forward ${s(fwd.json.seconds, 2)} s for ${SEQS.flat().length} tokens (${s((1000 * (fwd.json.seconds as number)) / SEQS.flat().length, 0)} ms/token), wall ${s(fwd.seconds)} s`,
    `  generate         load ${s(gen.loadSeconds)} s, prefill ${rate(prefill)}, decode ${rate(decode)}`,
    `  lora-grad        load ${s(grad.loadSeconds)} s, ${s(grad.json.seconds, 2)} s (r 16, q/v, ${B} × ${T})`,
    `  sharded forward  load ${s(sharded.loadSeconds)} s, forward ${s(sharded.json.seconds, 2)} s; embedding in ${shardModel.embedShards} shards (≤ ${opt.bindingMb} MiB) vs ${model.embedShards}`,
    `  reference        load ${s(refJson.seconds.load)} s, forward ${s(refJson.seconds.forward, 2)} s, lora-grad ${s(refJson.seconds.lora_grad, 2)} s, greedy ${s(refJson.seconds.greedy, 2)} s (${refJson.threads} threads)`,
    `  memory           weights ${gb(model.weightBytes)}; engine GPU peak: forward ${gb(gpuOf(fwd).peakAllocatedBytes)}, lora-grad ${gb(gpuOf(grad).peakAllocatedBytes)} (estimate ${gb(estimate.total)});` +
      ` CLI process tree peak PSS: forward ${gb(fwd.peakBytes)}, lora-grad ${gb(grad.peakBytes)}; reference RSS ${gb(refJson.max_rss_bytes)}; this script ${gb(nodePeak)}`,
    `  checks           logits max |Δ| ${checks.logits.value.toExponential(2)} (of |logit| ≤ ${logits.scale.toFixed(2)}) ${ok(checks.logits.ok)};` +
      ` loss |Δ| ${checks.loss.value.toExponential(2)} ${ok(checks.loss.ok)}; LoRA loss |Δ| ${checks.lossLora.value.toExponential(2)} ${ok(checks.lossLora.ok)}`,
    `                   gradients: worst max |Δ| / max |g| ${gradWorst.toExponential(2)} over ${checks.gradients.tensors} tensors ${ok(checks.gradients.ok)};` +
      ` greedy [${genTokens}] vs [${refJson.greedy}] ${ok(checks.greedy.ok)} (smallest top-2 gap ${refJson.greedy_min_gap.toFixed(3)})`,
    `                   sharded vs whole: logits max |Δ| ${shardLogits}, loss ${sharded.json.loss === fwd.json.loss ? 'equal' : 'differs'} ${ok(checks.sharded.ok)}`,
    `  report: ${reportFile}`,
  ].join('\n') + '\n');
  if (flags.clean) rmSync(dir, { recursive: true, force: true });
  return Object.values(checks).every((c) => c.ok) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (e) {
  process.stderr.write(`test:scale: ${e instanceof UsageError ? '' : `${(e as Error).name}: `}${(e as Error).message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
} finally {
  clearInterval(nodeTimer);
}
