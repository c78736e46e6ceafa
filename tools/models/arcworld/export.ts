// Data for the cipher-world model (src/seal/worlds/cipher), built with the model's tokenizer and the lab's
// own sequence builders, TTT-data builder and evaluation views, so PyTorch trains and tests on exactly the token
// sequences the lab later shows the model. Run: `npx tsx tools/models/arcworld/export.ts <part> …` with parts
//   corpus     pretraining solve sequences (pretrain families only)        → .data/corpus.{tokens.u16,mask.u8,json}
//   selfedit   self-edit sequences: demos + instruction → a random JSON     → .data/selfedit.{tokens.u16,mask.u8,json}
//   eval       evaluation sets: prompts, targets, views, TTT data of every data-generation combination for a few
//              data seeds, self-edit prompts                                 → .data/eval.json
// Knobs (env): AW_CORPUS_TASKS, AW_SELFEDIT_LRS (comma list), AW_SELFEDIT_TASKS, AW_EVAL_POOL, and for the evaluation
// sets' world options AW_EVAL_DEMOS / AW_EVAL_PALETTE ("min,max"; default the world's [4, 4] / [3, 5]).
// Everything is seeded: the same command writes the same bytes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer } from '../../../src/engine/model/tokenizer.ts';
import { ALL_AUGMENTERS, applyToTask, type DataGenerationFlags } from '../../../src/seal/arc/augment.ts';
import { SELF_EDIT_INSTRUCTION_SHORT, gridToText } from '../../../src/seal/arc/format.ts';
import { Rng } from '../../../src/seal/core/rng.ts';
import { selfEditToJson, TRAINING_STRATEGIES, type SelfEdit } from '../../../src/seal/arc/self_edit.ts';
import { selfEditPrompt, selfEditSequence, solvePrompt, solveSequence } from '../../../src/seal/arc/sequences.ts';
import type { Sequence } from '../../../src/seal/core/batch.ts';
import type { Specials } from '../../../src/seal/core/context.ts';
import { buildTttData, type TttExample } from '../../../src/seal/arc/ttt_data.ts';
import { evaluationViews } from '../../../src/seal/arc/vote.ts';
import type { Grid, Pair } from '../../../src/seal/arc/task.ts';
import { generateCipherTasks, type CipherWorld, type Split } from '../../../src/seal/worlds/cipher/index.ts';
import { writeTokenizer } from './tokenizer.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(process.env.AW_DATA ?? resolve(HERE, '.data'));
const MODEL_DIR = resolve(OUT, 'model');
mkdirSync(OUT, { recursive: true });
writeTokenizer(MODEL_DIR);

const tok = (await loadTokenizer(async (n) => {
  try {
    const b = readFileSync(resolve(MODEL_DIR, n));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  } catch {
    return null;
  }
}))!;
const SP: Specials = { bos: 256, eos: 257, eot: 259 };

// ---- seeds (documented in tools/models/arcworld/README.md)
export const CORPUS_SEED_BASE = 100_000; // pretraining tasks: seeds 100000…
export const SELFEDIT_SEED_BASE = 200_000; // self-edit prompts
export const EVAL_SEED = 3_000; // evaluation pools
export const TTT_DATA_SEEDS = [1, 2, 3];
export const VIEW_SEED = 11;
export const TTT_MAX_EXAMPLES = 16; // exported; the first k are the lab's data for maxExamples = k
export const TTT_MAX_TOKENS = 512;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function writeSeqs(name: string, seqs: Array<Sequence & { kind: number }>, info: Record<string, unknown>) {
  const total = seqs.reduce((a, s) => a + s.ids.length, 0);
  const ids = new Uint16Array(total);
  const mask = new Uint8Array(total);
  const index: Array<[number, number, number]> = [];
  let off = 0;
  for (const s of seqs) {
    ids.set(s.ids, off);
    mask.set(s.weights, off);
    index.push([off, s.ids.length, s.kind]);
    off += s.ids.length;
  }
  writeFileSync(resolve(OUT, `${name}.tokens.u16`), Buffer.from(ids.buffer));
  writeFileSync(resolve(OUT, `${name}.mask.u8`), Buffer.from(mask.buffer));
  const meta = { ...info, sequences: seqs.length, tokens: total, lossTokens: mask.reduce((a, b) => a + b, 0) };
  writeFileSync(resolve(OUT, `${name}.json`), JSON.stringify({ ...meta, index }));
  console.log(name, JSON.stringify(meta));
}

const colourPerm = (rng: Rng) => [0, ...rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9])];
const permGrid = (g: Grid, p: number[]) => g.map((r) => r.map((c) => p[c]));

/** A task under a random augmenter, a colour permutation (0 kept) and shuffled demo order. */
function augmentCopy(ex: TttExample, rng: Rng): TttExample {
  const aug = pick(rng, ALL_AUGMENTERS);
  const t = applyToTask(aug, ex, rng);
  const p = colourPerm(rng);
  const m = (g: Grid) => permGrid(g, p);
  return {
    train: rng.shuffle(t.train.map((q) => ({ input: m(q.input), output: m(q.output) }))),
    test: t.test.map((q) => ({ input: m(q.input), output: m(q.output) })),
  };
}

function taskItems(w: CipherWorld) {
  return Object.keys(w.challenges).map((id) => {
    const t = w.challenges[id];
    const truth = w.solutions[id][0];
    return { id, task: t, truth, meta: w.meta[id], ex: { train: t.train, test: [{ input: t.test[0].input, output: truth }] } as TttExample };
  });
}

// ---------------------------------------------------------------------------------------------- corpus
function corpus() {
  const nTasks = Number(process.env.AW_CORPUS_TASKS ?? 300_000);
  const augShare = Number(process.env.AW_CORPUS_AUG ?? 0.25);
  const rng = new Rng(1234);
  const seqs: Array<Sequence & { kind: number }> = [];
  const per = 10_000;
  const t0 = Date.now();
  for (let s = 0; s * per < nTasks; s++) {
    const families = process.env.AW_FAMILIES ? process.env.AW_FAMILIES.split(',') : undefined;
    const w = generateCipherTasks({ seed: CORPUS_SEED_BASE + s, count: Math.min(per, nTasks - s * per), split: 'pretrain', families });
    for (const it of taskItems(w)) {
      // the task as it is, or (augShare of the time) under an augmenter + colour permutation, so the grids TTT
      // augmentations make are familiar
      const ex = rng.bool(augShare) ? augmentCopy(it.ex, rng) : { ...it.ex, train: rng.shuffle(it.ex.train) };
      const sq = solveSequence(tok, SP, ex);
      if (sq.ids.length <= 768) seqs.push({ ...sq, kind: 0 });
    }
    process.stderr.write(`\rcorpus: ${seqs.length} sequences (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  process.stderr.write('\n');
  writeSeqs('corpus', rng.shuffle(seqs), { seed: 1234, tasks: nTasks, augShare, seedBase: CORPUS_SEED_BASE });
}

// ---------------------------------------------------------------------------------------------- self-edits
export const DEFAULT_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];

export function randomSelfEdit(rng: Rng, lrs: readonly number[]): SelfEdit {
  return {
    data_generation: {
      use_basic_augmentations: rng.bool(), use_size_augmentations: rng.bool(), use_chain_augmentations: rng.bool(), use_repeat_augmentations: rng.bool(),
    },
    training: { strategy: pick(rng, TRAINING_STRATEGIES), learning_rate: pick(rng, lrs), num_train_epochs: rng.range(1, 3) },
  };
}

function selfEdits() {
  const lrs = (process.env.AW_SELFEDIT_LRS ?? DEFAULT_LRS.join(',')).split(',').map(Number);
  const nTasks = Number(process.env.AW_SELFEDIT_TASKS ?? 40_000);
  const rng = new Rng(4321);
  const seqs: Array<Sequence & { kind: number }> = [];
  // demos of pretraining tasks and of cipher tasks (fresh seeds): the generator sees the kind of task it will
  // write self-edits for; the JSON is random (uniform over the space), so nothing about a task's answer is taught
  const half = Math.floor(nTasks / 2);
  const sets: Array<[Split, number]> = [['pretrain', half], ['restem', nTasks - half]];
  for (const [split, n] of sets) {
    const w = generateCipherTasks({ seed: SELFEDIT_SEED_BASE, count: n, split });
    for (const it of taskItems(w)) {
      const s = selfEditSequence(tok, SP, it.task.train, selfEditToJson(randomSelfEdit(rng, lrs)), SELF_EDIT_INSTRUCTION_SHORT);
      seqs.push({ ...s, kind: 1 });
    }
  }
  writeSeqs('selfedit', rng.shuffle(seqs), { seed: 4321, tasks: nTasks, lrs, seedBase: SELFEDIT_SEED_BASE });
}

// ---------------------------------------------------------------------------------------------- evaluation
/** Data-generation combination c: bit 0 basic, 1 size, 2 chain, 3 repeat. */
export function comboFlags(c: number): DataGenerationFlags {
  return { use_basic_augmentations: !!(c & 1), use_size_augmentations: !!(c & 2), use_chain_augmentations: !!(c & 4), use_repeat_augmentations: !!(c & 8) };
}

const GEO_INVERSE: Record<string, string> = { rotate90: 'rotate270', rotate270: 'rotate90', rotate180: 'rotate180', flip0: 'flip0', flip1: 'flip1', transpose: 'transpose' };

function evalItem(it: ReturnType<typeof taskItems>[number], withTtt: boolean) {
  const { task, truth } = it;
  const views = evaluationViews(task, VIEW_SEED, { geometric: true, colourPermutations: 2, leaveOneOut: true }).map((v) => {
    let inv: unknown = null;
    if (v.kind === 'geometric') inv = { geo: GEO_INVERSE[v.name] };
    if (v.kind === 'colour') {
      // recover the permutation from the view's first demo input (0 kept)
      const p = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      const inverse: number[] = p.map((c) => c);
      task.train.forEach((d, k) => d.input.forEach((r, i) => r.forEach((c, j) => (inverse[v.task.train[k].input[i][j]] = c))));
      task.train.forEach((d, k) => d.output.forEach((r, i) => r.forEach((c, j) => (inverse[v.task.train[k].output[i][j]] = c))));
      inv = { perm: inverse };
    }
    return { name: v.name, kind: v.kind, prompt: solvePrompt(tok, SP, v.task.train, v.task.test[0].input), inv };
  });
  const rec: Record<string, unknown> = {
    id: it.id, family: it.meta.family, op: it.meta.op, colour: it.meta.colour, width: it.meta.width, palette: it.meta.palette,
    prompt: solvePrompt(tok, SP, task.train, task.test[0].input),
    target: [...tok.encode(`${gridToText(truth)}\n`), SP.eos],
    answer: truth,
    selfEditPrompt: selfEditPrompt(tok, task.train, SELF_EDIT_INSTRUCTION_SHORT),
    views,
  };
  if (withTtt) {
    const count = tokenCount;
    rec.ttt = TTT_DATA_SEEDS.map((seed) =>
      Array.from({ length: 16 }, (_, c) => {
        const d = buildTttData(task, { data_generation: comboFlags(c) }, { seed, maxExamples: TTT_MAX_EXAMPLES, tokenBudget: { count, max: TTT_MAX_TOKENS } });
        const s = d.examples.map((ex) => solveSequence(tok, SP, ex));
        return { ids: s.map((x) => x.ids), p: s.map((x) => x.weights.indexOf(1)) };
      }),
    );
  }
  return rec;
}

/**
 * Token count of solveSequence(ex) under this tokenizer, without tokenizing (buildTttData calls it on every
 * candidate example): every cell and every newline is one token, "Input:\n" 3, "\n\nOutput:\n" 5, "\n\n" between
 * pairs 2, plus <bos>, the target's final "\n" and <eos>. Checked against the tokenizer on the first calls.
 */
const gridTokens = (g: Grid) => g.length * g[0].length + g.length - 1;
let checked = 0;
function tokenCount(ex: TttExample): number {
  const pairs = [...ex.train, ex.test[0] as Pair];
  const n = 1 + pairs.reduce((a, p) => a + 3 + gridTokens(p.input) + 5 + gridTokens(p.output), 0) + 2 * (pairs.length - 1) + 2;
  if (checked < 300) {
    checked++;
    const real = solveSequence(tok, SP, ex).ids.length;
    if (real !== n) throw new Error(`token count formula ${n} ≠ tokenizer ${real}`);
  }
  return n;
}

function evalSets() {
  const pool = Number(process.env.AW_EVAL_POOL ?? 64);
  const range = (v: string | undefined) => (v ? (v.split(',').map(Number) as [number, number]) : undefined);
  const opts = { demos: range(process.env.AW_EVAL_DEMOS), palette: range(process.env.AW_EVAL_PALETTE) };
  const t0 = Date.now();
  const out = {
    tttDataSeeds: TTT_DATA_SEEDS, tttMaxExamples: TTT_MAX_EXAMPLES, tttMaxTokens: TTT_MAX_TOKENS, viewSeed: VIEW_SEED, evalSeed: EVAL_SEED,
    heldout: taskItems(generateCipherTasks({ seed: EVAL_SEED, count: pool, split: 'heldout', ...opts })).map((it) => evalItem(it, true)),
    restem: taskItems(generateCipherTasks({ seed: EVAL_SEED, count: pool, split: 'restem', ...opts })).map((it) => evalItem(it, true)),
    pretrain: taskItems(generateCipherTasks({ seed: EVAL_SEED, count: 60, split: 'pretrain', ...opts })).map((it) => evalItem(it, false)),
  };
  writeFileSync(resolve(OUT, 'eval.json'), JSON.stringify(out));
  const lens = out.heldout.flatMap((t) => (t.ttt as Array<Array<{ ids: number[][] }>>)[0].flatMap((c) => c.ids.map((x) => x.length)));
  console.log('eval', JSON.stringify({ heldout: out.heldout.length, restem: out.restem.length, pretrain: out.pretrain.length,
    promptTokens: Math.round(out.heldout.reduce((a, t) => a + (t.prompt as number[]).length, 0) / out.heldout.length),
    tttMeanTokens: Math.round(lens.reduce((a, b) => a + b, 0) / lens.length), seconds: (Date.now() - t0) / 1000 }));
}

for (const part of process.argv.slice(2)) {
  if (part === 'corpus') corpus();
  else if (part === 'selfedit') selfEdits();
  else if (part === 'eval') evalSets();
  else throw new Error(`unknown part ${part} (corpus, selfedit, eval)`);
}
