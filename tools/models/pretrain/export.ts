// Pretraining corpus of the embedded mini model (public/models/seal-mini-arc), built with the model's REAL
// tokenizer and the lab's REAL sequence builders (src/seal/arc/sequences.ts), so the model is trained on exactly
// the token sequences the lab later shows it. Run: `npx tsx tools/models/pretrain/export.ts` (then tools/models/pretrain/train.py).
//
// Writes tools/models/pretrain/.data/:
//   corpus.tokens.u16 / corpus.mask.u8 + corpus.json   pretraining sequences (pretrain families only):
//       solve      demos → query output (the task's test pair, and leave-one-out variants), with augmented and
//                  colour-permuted copies so augmented grids are familiar; loss on the output tokens
//       selfedit   chat(system, demos + SELF_EDIT_INSTRUCTION_SHORT) → a random, diverse self-edit JSON; loss on
//                  the JSON and <|eot_id|> (a minority share)
//   eval.json    evaluation sets: held-out (miniArcDefault().eval, 20 tasks, seed 2025), the ReST-EM training
//                tasks (miniArcDefault().train), unseen pretrain-family tasks and pools of held-out and ReST-EM
//                tasks (seed 3000): solve prompts and target ids, self-edit prompts; plus TTT datasets
//                (buildTttData) of each held-out and ReST-EM task for a few data-generation configurations, as
//                token ids + output masks, for train.py's TTT checks.
// Everything is seeded: the same command writes the same bytes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer } from '../../../src/engine/model/tokenizer.ts';
import { ALL_AUGMENTERS, applyToTask, type DataGenerationFlags } from '../../../src/seal/arc/augment.ts';
import { SELF_EDIT_INSTRUCTION_SHORT, gridToText } from '../../../src/seal/arc/format.ts';
import { applyColourPerm, mapTaskGrids, randomColourPerm, taskMaxShape } from '../../../src/seal/arc/grid.ts';
import { Rng } from '../../../src/seal/core/rng.ts';
import { selfEditToJson, TRAINING_STRATEGIES, type SelfEdit } from '../../../src/seal/arc/self_edit.ts';
import { selfEditPrompt, selfEditSequence, solvePrompt, solveSequence } from '../../../src/seal/arc/sequences.ts';
import type { Sequence } from '../../../src/seal/core/batch.ts';
import type { Specials } from '../../../src/seal/core/context.ts';
import { buildTttData, type TttExample } from '../../../src/seal/arc/ttt_data.ts';
import { generateTasks, miniArcDefault, type MiniArc } from '../../../src/seal/worlds/minarc/index.ts';
import type { ArcTask, Pair } from '../../../src/seal/arc/task.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MODEL_DIR = resolve(ROOT, 'public/models/seal-mini-arc');
const OUT = resolve(ROOT, 'tools/models/pretrain/.data');

// ---- corpus knobs (documented in tools/models/pretrain/README.md)
const SEED = 1234;
const TASK_SEEDS = Array.from({ length: Number(process.env.PRETRAIN_TASK_SEEDS ?? 96) }, (_, i) => 100_000 + i);
const TASKS_PER_SEED = 230; // 10 per pretrain family
const MAX_TOKENS = 1024; // longest pretraining sequence (longer ones are dropped)
const AUG_COPIES = 2; // augmented (+ colour-permuted) copies per task
const SELF_EDIT_PER_TASK = 0.5; // expected self-edit sequences per task (≈ 7 % of sequences)
/** Learning rates the self-edits are drawn from (this model's useful TTT range is ~1e-3…1e-2; the ends are worse). */
export const SELF_EDIT_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2, 5e-2];
const TTT_MAX_EXAMPLES = 24;
const TTT_MAX_TOKENS = 512;

const files = (name: string) => {
  try {
    const b = readFileSync(resolve(MODEL_DIR, name));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  } catch {
    return null;
  }
};
const tok = await loadTokenizer(async (n) => files(n));
if (!tok) throw new Error(`no tokenizer in ${MODEL_DIR}`);
const SP: Specials = { bos: 256, eos: 257, eot: 259 };
{
  // the specials must be what the tokenizer thinks they are
  const ids = tok.chat([{ role: 'user', content: 'x' }]);
  if (ids[0] !== SP.bos || !ids.includes(SP.eot)) throw new Error(`unexpected chat ids ${ids.slice(0, 8)}`);
}

const fits = (t: ArcTask, max = 30) => {
  const [h, w] = taskMaxShape(t as TttExample);
  return h <= max && w <= max;
};

export function randomSelfEdit(rng: Rng): SelfEdit {
  return {
    data_generation: {
      use_basic_augmentations: rng.next() < 0.5,
      use_size_augmentations: rng.next() < 0.5,
      use_chain_augmentations: rng.next() < 0.5,
      use_repeat_augmentations: rng.next() < 0.5,
    },
    training: {
      strategy: rng.pick(TRAINING_STRATEGIES),
      learning_rate: rng.pick(SELF_EDIT_LRS),
      num_train_epochs: 1 + rng.int(3),
    },
  };
}

/** The task (demos + test pair) and its leave-one-out variants, as single-query examples. */
function solveExamples(demos: Pair[], test: Pair): TttExample[] {
  const out: TttExample[] = [{ train: demos, test: [test] }];
  const all = [...demos, test];
  for (let i = 0; i < demos.length; i++) out.push({ train: all.filter((_, k) => k !== i), test: [demos[i]] });
  return out;
}

function augmentCopy(ex: TttExample, rng: Rng): TttExample {
  const aug = rng.pick(ALL_AUGMENTERS);
  let t = applyToTask(aug, ex, rng);
  const perm = randomColourPerm(rng);
  t = mapTaskGrids(t, (g) => applyColourPerm(g, perm));
  return { ...t, train: rng.shuffle(t.train) };
}

// ---------------------------------------------------------------------------------------------- corpus
mkdirSync(OUT, { recursive: true });
const rng = new Rng(SEED);
const seqs: Array<Sequence & { kind: 'solve' | 'selfedit' }> = [];
let dropped = 0;
const t0 = Date.now();
const push = (s: Sequence, kind: 'solve' | 'selfedit') => {
  if (s.ids.length > MAX_TOKENS) dropped++;
  else seqs.push({ ...s, kind });
};
for (const seed of TASK_SEEDS) {
  const set = generateTasks({ seed, count: TASKS_PER_SEED, split: 'pretrain' });
  for (const id of Object.keys(set.challenges)) {
    const task = set.challenges[id];
    const test: Pair = { input: task.test[0].input, output: set.solutions[id][0] };
    const exs = solveExamples(task.train, test);
    // the plain task: the test query and every leave-one-out query; plus colour-permuted copies
    for (const ex of exs) push(solveSequence(tok, SP, ex), 'solve');
    for (let c = 0; c < AUG_COPIES; c++) {
      const ex = augmentCopy(rng.pick(exs), rng);
      if (fits(ex)) push(solveSequence(tok, SP, ex), 'solve');
    }
    // self-edit: the demos (sometimes augmented, as the lab may show any task) → a random configuration
    if (rng.next() < SELF_EDIT_PER_TASK) {
      const demos = rng.next() < 0.8 ? task.train : augmentCopy({ train: task.train, test: [test] }, rng).train;
      push(selfEditSequence(tok, SP, demos, selfEditToJson(randomSelfEdit(rng)), SELF_EDIT_INSTRUCTION_SHORT), 'selfedit');
    }
  }
  process.stderr.write(`\rexport: seed ${seed}  ${seqs.length} sequences  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
process.stderr.write('\n');
// seeded shuffle, then write
const order = rng.shuffle(seqs.map((_, i) => i));
const total = seqs.reduce((a, s) => a + s.ids.length, 0);
const ids = new Uint16Array(total);
const mask = new Uint8Array(total);
const index: Array<[number, number, number]> = []; // [offset, length, kind 0 solve / 1 selfedit]
let off = 0;
for (const i of order) {
  const s = seqs[i];
  ids.set(s.ids, off);
  mask.set(s.weights, off);
  index.push([off, s.ids.length, s.kind === 'solve' ? 0 : 1]);
  off += s.ids.length;
}
writeFileSync(resolve(OUT, 'corpus.tokens.u16'), Buffer.from(ids.buffer));
writeFileSync(resolve(OUT, 'corpus.mask.u8'), Buffer.from(mask.buffer));
const nSelf = seqs.filter((s) => s.kind === 'selfedit').length;
const corpusInfo = {
  seed: SEED, taskSeeds: [TASK_SEEDS[0], TASK_SEEDS[TASK_SEEDS.length - 1]], tasksPerSeed: TASKS_PER_SEED, maxTokens: MAX_TOKENS,
  sequences: seqs.length, selfEditSequences: nSelf, tokens: total,
  lossTokens: mask.reduce((a, b) => a + b, 0), droppedTooLong: dropped, selfEditLrs: SELF_EDIT_LRS,
  instruction: SELF_EDIT_INSTRUCTION_SHORT,
};
writeFileSync(resolve(OUT, 'corpus.json'), JSON.stringify({ ...corpusInfo, index }));
console.log('corpus', JSON.stringify(corpusInfo));

// ---------------------------------------------------------------------------------------------- evaluation sets
interface EvalTask {
  id: string;
  family: string;
  prompt: number[];
  /** Target ids: output rows + "\n" + <eos>. */
  target: number[];
  answer: string;
  selfEditPrompt: number[];
  ttt?: Record<string, { ids: number[][]; masks: number[][]; stats: unknown }>;
}

const TTT_CONFIGS: Record<string, DataGenerationFlags> = {
  all: { use_basic_augmentations: true, use_size_augmentations: true, use_chain_augmentations: true, use_repeat_augmentations: true },
  basic: { use_basic_augmentations: true, use_size_augmentations: false, use_chain_augmentations: false, use_repeat_augmentations: false },
  none: { use_basic_augmentations: false, use_size_augmentations: false, use_chain_augmentations: false, use_repeat_augmentations: false },
};

function evalSet(set: MiniArc, withTtt: boolean): EvalTask[] {
  return Object.keys(set.challenges).map((id) => {
    const task = set.challenges[id];
    const sol = set.solutions[id][0];
    const e: EvalTask = {
      id,
      family: set.meta[id].family,
      prompt: solvePrompt(tok!, SP, task.train, task.test[0].input),
      target: [...tok!.encode(`${gridToText(sol)}\n`), SP.eos],
      answer: gridToText(sol),
      selfEditPrompt: selfEditPrompt(tok!, task.train, SELF_EDIT_INSTRUCTION_SHORT),
    };
    if (withTtt) {
      e.ttt = {};
      for (const [name, dg] of Object.entries(TTT_CONFIGS)) {
        const count = (ex: TttExample) => solveSequence(tok!, SP, ex).ids.length;
        const d = buildTttData(task, { data_generation: dg }, { seed: 7, maxExamples: TTT_MAX_EXAMPLES, tokenBudget: { count, max: TTT_MAX_TOKENS } });
        const s = d.examples.map((ex) => solveSequence(tok!, SP, ex));
        e.ttt[name] = { ids: s.map((x) => x.ids), masks: s.map((x) => x.weights), stats: { final: d.stats.final, unique: d.stats.unique, droppedTokens: d.stats.droppedTokens } };
      }
    }
    return e;
  });
}

const def = miniArcDefault();
const pretrainUnseen = generateTasks({ seed: 9_999, count: 46, split: 'pretrain' });
// Pools of further tasks of the held-out and ReST-EM families (4 per family), to see per family what ICL and TTT
// reach beyond the lab's default set.
const POOL_SEED = 3_000;
const evalOut = {
  tttMaxExamples: TTT_MAX_EXAMPLES,
  tttMaxTokens: TTT_MAX_TOKENS,
  heldout: evalSet(def.eval, true),
  restTrain: evalSet(def.train, true),
  pretrain: evalSet(pretrainUnseen, false),
  heldoutPool: evalSet(generateTasks({ seed: POOL_SEED, count: 48, split: 'heldout' }), true),
  restemPool: evalSet(generateTasks({ seed: POOL_SEED, count: 32, split: 'restem' }), true),
};
writeFileSync(resolve(OUT, 'eval.json'), JSON.stringify(evalOut));
const tttLens = evalOut.heldout.map((t) => t.ttt!.all.ids.map((x) => x.length));
const flat = tttLens.flat();
console.log('eval', JSON.stringify({
  heldout: evalOut.heldout.length, restTrain: evalOut.restTrain.length, pretrain: evalOut.pretrain.length,
  tttAllExamplesPerTask: tttLens.map((l) => l.length), tttAllMeanTokens: Math.round(flat.reduce((a, b) => a + b, 0) / flat.length),
  seconds: (Date.now() - t0) / 1000,
}));
