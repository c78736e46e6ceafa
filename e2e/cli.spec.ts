// The CLI (`tools/lab/cli/seal.ts`) end to end, as a child process: its numbers must be the PyTorch golden values of
// tests/golden/llama3-f32 (same tolerances as tests/gpu/golden.test.ts), and engine errors must exit 1 with a
// clear message. Each call starts its own Vite server and headless Chromium.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { readSafetensors } from '../src/engine/model/safetensors.ts';
import { GOOD_TOKEN, SHARDS, startHubServer, type HubServer } from '../tests/setup/hub-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CASE = join(ROOT, 'tests/golden/llama3-f32');
const MODEL = join(CASE, 'model');
const EOS = [257, 259]; // config.json and generation_config.json of that model
// tsx's CLI run by this Node directly: `npx` would add a second of npm start-up to every call, and npm's own warnings
// (about the user's npm config) to the stderr these tests read.
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

const bytes = readFileSync(join(CASE, 'golden.safetensors'));
const golden = readSafetensors(new Uint8Array(bytes));
const meta = JSON.parse(readFileSync(join(CASE, 'golden.json'), 'utf8')) as { batch: { lengths: number[] } };
const tokens = golden.i32('tokens');
const T = tokens.length / 2;
/** The golden batch as the CLI takes it: each sequence unpadded, `;`-separated. */
const sequences = meta.batch.lengths.map((len, b) => [...tokens.slice(b * T, b * T + len)].join(',')).join(';');

// One after another in one worker: every call starts a Vite dev server on the same dependency cache
// (node_modules/.vite/seal-cli), which two first runs at once on a fresh clone would both try to fill.
test.describe.configure({ mode: 'default' });

let tmp: string;
test.beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'seal-cli-'))));
test.afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function seal(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return sealEnv({}, ...args);
}

function sealEnv(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [TSX, 'tools/lab/cli/seal.ts', ...args], { cwd: ROOT, env: { ...process.env, HF_TOKEN: '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', fail);
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function sealJson<T>(...args: string[]): Promise<T> {
  const out = join(tmp, `out-${Math.random().toString(36).slice(2)}.json`);
  const r = await seal(...args, '--out', out);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as T;
}

interface Rate { tokens: number; seconds: number; tokensPerSecond: number | null }
interface GenerateJson {
  tokens: number[]; promptIds: number[]; promptTokens: number; seconds: number; prefill: Rate; decode: Rate; tokensPerSecond: number | null; warnings: string[];
}

function relNorm(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let d = 0;
  let n = 0;
  for (let i = 0; i < got.length; i++) {
    d += (got[i] - want[i]) ** 2;
    n += want[i] ** 2;
  }
  return Math.sqrt(d / n);
}

test.describe('seal CLI', () => {
  test.setTimeout(240_000); // several CLI calls, each a Vite server and a browser

  test('forward reproduces the golden logits and loss', async () => {
    const r = await sealJson<{ logits: number[][][]; loss: number }>('forward', '--model', MODEL, '--tokens', sequences);
    const want = golden.f32('logits');
    const V = 260;
    let worst = 0;
    meta.batch.lengths.forEach((len, b) => {
      expect(r.logits[b].length).toBe(len);
      for (let t = 0; t < len; t++) {
        for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(r.logits[b][t][v] - want[(b * T + t) * V + v]));
      }
    });
    expect(worst).toBeLessThan(1e-4);
    expect(Math.abs(r.loss - golden.f32('loss')[0])).toBeLessThan(1e-4);
  });

  test('lora-grad reproduces every golden LoRA gradient', async () => {
    const r = await sealJson<{ loss: number; grads: Record<string, number[]> }>(
      'lora-grad', '--model', MODEL, '--adapter', join(CASE, 'adapter'), '--tokens', sequences);
    expect(Math.abs(r.loss - golden.f32('loss_lora')[0])).toBeLessThan(1e-4);
    const keys = [...golden.header.tensors.keys()].filter((k) => k.startsWith('grad.')).map((k) => k.slice(5)).sort();
    expect(Object.keys(r.grads).sort()).toEqual(keys);
    for (const k of keys) expect(relNorm(r.grads[k], golden.f32(`grad.${k}`)), k).toBeLessThan(1e-3);
  });

  test('generate --prompt-ids, greedy, equals the golden path up to EOS; prefill and decode timed apart', async () => {
    const r = await sealJson<GenerateJson>(
      'generate', '--model', MODEL, '--prompt-ids', [...golden.i32('greedy_prompt')].join(','), '--max-new-tokens', '32', '--temperature', '0');
    const path = [...golden.i32('greedy')];
    const stop = path.findIndex((t) => EOS.includes(t));
    expect(r.tokens).toEqual(stop < 0 ? path : path.slice(0, stop + 1));
    expect(r.promptTokens).toBe(golden.i32('greedy_prompt').length);
    // The prompt's forward is prefill; tokensPerSecond is decoding only (new tokens − 1 over the steps after the first).
    expect(r.prefill).toMatchObject({ tokens: r.promptTokens });
    expect(r.prefill.tokensPerSecond).toBeGreaterThan(0);
    expect(r.decode.tokens).toBe(r.tokens.length - 1);
    expect(r.decode.tokensPerSecond).toBeCloseTo(r.decode.tokens / r.decode.seconds, 6);
    expect(r.tokensPerSecond).toBe(r.decode.tokensPerSecond);
    expect(r.prefill.seconds + r.decode.seconds).toBeLessThanOrEqual(r.seconds + 1e-9);
    expect(r.warnings).toEqual([]); // token ids: the user's own start
  });

  test('--quantize is applied and shown in the model card; the upload reports its progress on stderr', async () => {
    const out = join(tmp, 'q4.json');
    const r = await seal('forward', '--model', MODEL, '--tokens', sequences, '--quantize', 'q4', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^weights: 0\.0 kB of 478\.5 kB \(0%\), 0\/21 tensors$/m);
    expect(r.stderr).toMatch(/^weights: 478\.5 kB, 21 tensors read and on the GPU in [\d.]+ s, [\d.]+ [kMG]B\/s$/m);
    expect(r.stderr).toMatch(/^model: llama, 2 layers × 64 \(FFN 160, 4\/2 heads × 16\), vocab 260, 119\.6 k params, f32, quantisation q4, weights [\d.]+ kB; loaded in [\d.]+ s$/m);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.model).toMatchObject({ arch: 'llama', layers: 2, hidden: 64, params: 119_616, dtype: 'f32', quantization: 'q4', embedShards: 1 });
    expect(j.model.weightBytes).toBeLessThan(478_464 / 4);
    expect(j.gpu.peakAllocatedBytes).toBeGreaterThanOrEqual(j.gpu.allocatedBytes);
    const auto = await sealJson<{ model: { quantization: string } }>('forward', '--model', MODEL, '--tokens', '1,2', '--quantize', 'auto');
    expect(['none', 'q8', 'q4']).toContain(auto.model.quantization);
    const bad = await seal('generate', '--model', MODEL, '--prompt', 'x', '--quantize', 'q3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--quantize must be one of none, q8, q4, auto');
  });

  test('--max-binding-mb row-shards the weights: the same logits as whole matrices', async () => {
    const out = join(tmp, 'sharded.json');
    const r = await seal('forward', '--model', MODEL, '--tokens', sequences, '--max-binding-mb', '0.004', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/model: .*\(embedding in 17 row shards\)/);
    const sharded = JSON.parse(readFileSync(out, 'utf8'));
    const whole = await sealJson<{ logits: number[][][]; loss: number; model: { embedShards: number } }>('forward', '--model', MODEL, '--tokens', sequences);
    expect(whole.model.embedShards).toBe(1);
    expect(sharded.model.embedShards).toBe(17);
    expect(sharded.logits).toEqual(whole.logits);
    expect(sharded.loss).toBe(whole.loss);
  });

  test('BOS: a plain prompt without one is pointed out; add_bos_token: true in tokenizer_config.json adds it', async () => {
    const plainOut = join(tmp, 'plain.json');
    const plain = await seal('generate', '--model', MODEL, '--prompt', 'Hello', '--max-new-tokens', '2', '--out', plainOut);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^warning: The prompt starts without BOS \(token 256\)/m);
    const p = JSON.parse(readFileSync(plainOut, 'utf8')) as GenerateJson;
    expect(p.promptIds).toEqual([72, 101, 108, 108, 111]);
    expect(p.warnings).toHaveLength(1);
    // The same checkpoint whose tokenizer_config.json asks for BOS.
    const model = join(tmp, 'add-bos');
    mkdirSync(model);
    for (const f of readdirSync(MODEL)) copyFileSync(join(MODEL, f), join(model, f));
    const cfg = JSON.parse(readFileSync(join(MODEL, 'tokenizer_config.json'), 'utf8'));
    writeFileSync(join(model, 'tokenizer_config.json'), JSON.stringify({ ...cfg, add_bos_token: true }));
    const outAdded = join(tmp, 'added.json');
    const added = await seal('generate', '--model', model, '--prompt', 'Hello', '--max-new-tokens', '2', '--out', outAdded);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).not.toMatch(/warning/);
    const a = JSON.parse(readFileSync(outAdded, 'utf8')) as GenerateJson;
    expect(a.promptIds).toEqual([256, 72, 101, 108, 108, 111]);
    expect(a.warnings).toEqual([]);
  });

  test('a folder without config.json exits 1 naming the file; a bad flag is a usage error', async () => {
    const r = await seal('forward', '--model', tmp, '--tokens', '1,2,3');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('config.json');
    expect(r.stderr).toMatch(/ModelFormatError: /);
    const u = await seal('forward', '--model', MODEL, '--tokens', '1', '--nope');
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('unknown flag --nope');
  });
});

test.describe('seal CLI: ARC experiment', () => {
  test.setTimeout(240_000);

  test('the real ARC files run through the SEAL loop (short run on the tiny golden model)', async () => {
    // The golden model with small SEAL settings (its random weights score 0: this checks formats and plumbing).
    const model = join(tmp, 'tiny-model');
    mkdirSync(model);
    for (const f of readdirSync(MODEL)) copyFileSync(join(MODEL, f), join(model, f));
    writeFileSync(join(model, 'seal_lab.json'), JSON.stringify({
      arc: {
        selfEditInstruction: 'short',
        ttt: { loraRank: 4, loraAlpha: 8, maxExamples: 4, stepCap: 8, maxNewTokens: 24 },
        selfEditSampling: { maxNewTokens: 40, maxAttempts: 1 },
        eval: { geometricViews: false, colourViews: 0, leaveOneOutViews: false },
      },
    }));
    const tasks = join(ROOT, '../shared/data/arc/arc-agi_training_challenges_filtered_1B_training_set.json');
    const out = join(tmp, 'arc.json');
    const r = await seal('arc', '--model', model, '--tasks', tasks, '--max-train', '1', '--max-eval', '1',
      '--self-edits-train', '1', '--self-edits-eval', '1', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ICL\s+\d+\.\d%/);
    expect(r.stdout).toMatch(/SEAL r1\s/); // methodLabel (src/store/labels.ts)
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.model).toMatchObject({ arch: 'llama', layers: 2, quantization: 'none' }); // the model card rides along
    expect(result.methods.map((m: { method: string }) => m.method)).toEqual(['icl', 'no-rl', 'oracle', 'seal']);
    expect(result.items.eval).toHaveLength(1);
    const oracle = result.rollouts.find((x: { method: string }) => x.method === 'oracle');
    expect(oracle.steps).toBeGreaterThan(0);
    expect(oracle.truth[0].length).toBeGreaterThan(0); // the real task's solution grid came through
  });

  test('a malformed task file is a clear error', async () => {
    const bad = join(tmp, 'bad_challenges.json');
    writeFileSync(bad, JSON.stringify({ t: { train: [{ input: [[1, 2], [3]], output: [[1]] }], test: [{ input: [[1]] }] } }));
    writeFileSync(join(tmp, 'bad_solutions.json'), JSON.stringify({ t: [[[1]]] }));
    const r = await seal('arc', '--model', MODEL, '--tasks', bad, '--max-eval', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TaskFileError: .*not in ARC format.*t\.train\.0\.input/);
  });
});

test.describe('seal CLI: knowledge experiment', () => {
  test.setTimeout(240_000);

  test('the shared SQuAD file runs through Track B end to end (short pass on the tiny golden model)', async () => {
    test.setTimeout(360_000); // two CLI calls, each its own Vite server and Chromium
    // Real passages and questions, a real byte-level tokenizer; random weights answer wrong: this checks formats and plumbing.
    const model = join(tmp, 'tiny-knowledge');
    mkdirSync(model);
    for (const f of readdirSync(MODEL)) copyFileSync(join(MODEL, f), join(model, f));
    writeFileSync(join(model, 'seal_lab.json'), JSON.stringify({
      knowledge: {
        ttt: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], epochs: 1, lr: 1e-2 }, selfEditSampling: { maxNewTokens: 8, maxAttempts: 1 },
        answer: { maxNewTokens: 3 }, restEm: { loraRank: 4, loraAlpha: 8, epochs: 1 },
      },
    }));
    const squad = join(ROOT, '../shared/data/squad/squad_val_from200.json');
    const out = join(tmp, 'knowledge.json');
    const settings = ['--passages', squad, '--max-train', '1', '--max-eval', '1', '--k', '1', '--ttt-seeds', '1', '--rounds', '1', '--grader', 'f1'];
    const r = await seal('knowledge', '--model', model, ...settings, '--forgetting', '1', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Base\s+\d+\.\d%.*paper 32\.7%/);
    expect(r.stdout).toMatch(/SEAL r1\s+\d+\.\d%.*paper 43\.7%/);
    expect(r.stdout).toMatch(/forgetting \(1 edits\)/);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.track).toBe('knowledge');
    expect(result.config.grader).toBe('f1');
    expect(result.methods.map((m: { method: string }) => m.method)).toEqual(['base', 'passage', 'own', 'seal']); // no references: no reference row
    expect(result.items.eval).toEqual(['squad-0']);
    const own = result.rollouts.find((x: { method: string }) => x.method === 'own');
    expect(own.answers.length).toBeGreaterThan(0);
    expect(own.answers[0].gold[0]).toBe('Electrical Experimenter');
    expect(typeof own.answers[0].f1).toBe('number');
    expect(result.forgetting).toHaveLength(1);

    // `apply` with the run's settings: the model's own notes as a student's file give the run's reward, answers and loss (same seeds)
    const notes = join(tmp, 'notes.txt');
    writeFileSync(notes, own.text);
    const applied = join(tmp, 'applied.json');
    const a = await seal('apply', '--model', model, '--track', 'knowledge', ...settings, '--item', 'squad-0', '--self-edit', notes, '--out', applied);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^squad-0: reward [\d.]+ \(/);
    const y = JSON.parse(readFileSync(applied, 'utf8'));
    expect({ reward: y.reward, answers: y.answers, loss: y.rollout.finalLoss }).toEqual({ reward: own.reward, answers: own.answers, loss: own.finalLoss });
    expect(y.grades).toEqual(own.answers.map((x: { correct: boolean }) => x.correct));
    expect(y.rollout.method).toBe('yours');
  });

  test('a malformed passages file is a clear error naming the passage and field', async () => {
    const bad = join(tmp, 'bad_passages.json');
    writeFileSync(bad, JSON.stringify([{ title: 'ok', context: 'c', questions: [{ question: 'q', answer: 'a' }] }, { title: 'x', context: 'c', questions: [{ question: 'q' }] }]));
    const r = await seal('knowledge', '--model', MODEL, '--passages', bad, '--max-eval', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PassageFileError: .*passage 1 \(questions\.0\.answer\)/);
    const usage = await seal('knowledge', '--model', MODEL, '--passages', 'mini', '--grader', 'gpt');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--grader must be one of exact, f1, contains, judge/);
  });
});

test.describe('seal CLI: models from a Hub-style server', () => {
  test.setTimeout(240_000);
  // The local stand-in for the Hub (tests/setup/hub-server.ts): the golden bf16 model in three shards.
  let hub: HubServer;
  test.beforeAll(async () => void (hub = await startHubServer()));
  test.afterAll(() => hub.close());
  const BF16 = join(ROOT, 'tests/golden/llama3-bf16/model');
  const TOKENS = '256,72,101,108,108,111;256,87,3';

  test('--model org/name (sharded bf16, --hub-endpoint, --revision) gives the logits of the local single file', async () => {
    const local = await sealJson<{ logits: number[][][]; loss: number }>('forward', '--model', BF16, '--tokens', TOKENS);
    const commit = hub.repos.get('seal-test/tiny-llama-sharded')!.sha;
    const fromHub = await sealJson<{ logits: number[][][]; loss: number }>('forward', '--model', 'seal-test/tiny-llama-sharded', '--hub-endpoint', hub.url, '--revision', commit, '--tokens', TOKENS);
    expect({ logits: fromHub.logits, loss: fromHub.loss }).toEqual({ logits: local.logits, loss: local.loss });
    expect(hub.log.some((r) => r.file === SHARDS[2] && r.revision === commit)).toBe(true);
    // An http(s) URL of a folder laid out like a Hub repo, read in place with Range requests.
    const url = await sealJson<{ logits: number[][][] }>('forward', '--model', `${hub.url}/seal-test/tiny-llama-sharded/resolve/main`, '--tokens', TOKENS);
    expect(url.logits).toEqual(local.logits);
  });

  test('a gated repo: GatedModelError without a token, loads with HF_TOKEN; an unknown revision exits 1', async () => {
    const denied = await seal('forward', '--model', 'seal-test/gated', '--hub-endpoint', hub.url, '--tokens', '1,2');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/GatedModelError: config\.json in seal-test\/gated@main: access denied \(HTTP 401\).*token/);
    const ok = await sealEnv({ HF_TOKEN: GOOD_TOKEN }, 'forward', '--model', 'seal-test/gated', '--hub-endpoint', hub.url, '--tokens', '1,2');
    expect(ok.code, ok.stderr).toBe(0);
    const rev = await seal('forward', '--model', 'seal-test/tiny-llama-sharded', '--hub-endpoint', hub.url, '--revision', 'v9', '--tokens', '1,2');
    expect(rev.code).toBe(1);
    expect(rev.stderr).toContain('ModelFormatError: seal-test/tiny-llama-sharded: revision "v9" not found');
    const bad = await seal('forward', '--model', 'no/such/thing', '--tokens', '1,2');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a Hub repo id/);
  });

  test('--cache-dir keeps downloads across runs; export-adapter writes PEFT files that reload to the same gradients', async () => {
    const cacheDir = join(tmp, 'profile');
    const out = join(tmp, 'exported-adapter');
    const first = await seal('export-adapter', '--model', 'seal-test/tiny-llama-sharded', '--hub-endpoint', hub.url,
      '--adapter', 'seal-test/tiny-adapter', '--out-dir', out, '--cache-dir', cacheDir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/model-00002-of-00003\.safetensors: [\d.]+ kB downloaded/);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, base_model_name_or_path: 'seal-test/tiny-llama-sharded' });
    const weights = readSafetensors(new Uint8Array(readFileSync(join(out, 'adapter_model.safetensors'))));
    expect(weights.header.metadata).toEqual({ format: 'pt' });
    expect(weights.header.tensors.size).toBe(28);

    hub.log.length = 0;
    const args = ['--tokens', TOKENS, '--hub-endpoint', hub.url, '--cache-dir', cacheDir];
    const again = await sealJson<{ loss: number; grads: Record<string, number[]> }>('lora-grad', '--model', 'seal-test/tiny-llama-sharded', '--adapter', out, ...args);
    expect(hub.log.filter((r) => SHARDS.includes(r.file))).toEqual([]); // every shard from the kept cache
    const golden = await sealJson<{ loss: number; grads: Record<string, number[]> }>('lora-grad', '--model', BF16, '--adapter', join(ROOT, 'tests/golden/llama3-bf16/adapter'), '--tokens', TOKENS);
    expect({ loss: again.loss, grads: again.grads }).toEqual({ loss: golden.loss, grads: golden.grads });
  });
});
