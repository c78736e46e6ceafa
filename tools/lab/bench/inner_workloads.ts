// The `inner` bench section's workloads: one SEAL rollout per track in shape, on the track's embedded model,
// computed here (Node) from the track's own code and the model's seal_lab.json, so the benchmark follows the
// tracks when they change: the token lengths of an inner loop's training sequences, its epochs and batch, and the
// answers it is scored with. The benchmark itself (src/bench/inner.ts) then times random tokens of that shape.
//   knowledge: notes of the pretraining's demonstration mix (like the model's own notes) on held-out passages →
//              notesData's sequences; the passage's questions answered (answer.maxNewTokens each)
//   arc:       the Oracle self-edit on the mini tasks → the TTT plan's sequences; every evaluation view's prompt,
//              the answer as long as the true output grid
// Run as a script, it writes them for runners without the tracks' code (Node + Dawn on a GPU machine):
//   npx tsx tools/lab/bench/inner_workloads.ts OUT.json [--inner-slots 1,2,4,8,16] [--inner-rollouts 16]
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intList, num, parseFlags } from '../cli/args.ts';
import { parseModelConfigText } from '../../../src/engine/model/config.ts';
import { loadBioTokenizer } from '../../models/knowledge/tok.ts';
import type { InnerRequest } from '../../../src/bench/types.ts';
import { specialsOf } from '../../../src/seal/core/context.ts';
import { arcConfig, parseOverrides } from '../../../src/seal/arc/config.ts';
import { gridToText } from '../../../src/seal/arc/format.ts';
import { solvePrompt } from '../../../src/seal/arc/sequences.ts';
import { miniArcTaskSet } from '../../../src/seal/arc/task_set.ts';
import { arcTrack } from '../../../src/seal/arc/track.ts';
import type { ArcContext } from '../../../src/seal/arc/types.ts';
import { evaluationViews } from '../../../src/seal/arc/vote.ts';
import { knowledgeConfig } from '../../../src/seal/knowledge/config.ts';
import { notesData } from '../../../src/seal/knowledge/plan.ts';
import { answerPromptIds, encodeTrainSequence } from '../../../src/seal/knowledge/sequences.ts';
import { DEFAULT_WORLD, demoNotes, makeWorld, mulberry32 } from '../../../src/seal/worlds/minibio/index.ts';
import { ROOT } from '../cli/launch.ts';
import { INNER_TRACKS, type InnerTrack, type InnerWorkload } from './request.ts';

export const INNER_MODELS: Record<InnerTrack, string> = {
  knowledge: resolve(ROOT, 'public/models/seal-mini-bio'),
  arc: resolve(ROOT, 'public/models/seal-mini-arc'),
};

/** Items whose plans are measured; the workload is the item with the median plan size. */
const ITEMS = 9;

const lab = (dir: string) => JSON.parse(readFileSync(resolve(dir, 'seal_lab.json'), 'utf8')) as { knowledge?: object; arc?: unknown };
const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
const median = <T>(xs: T[], size: (x: T) => number): T => [...xs].sort((a, b) => size(a) - size(b))[xs.length >> 1];

export async function innerWorkload(track: InnerTrack, slots: number[], rollouts: number): Promise<InnerRequest> {
  const dir = INNER_MODELS[track];
  const tok = await loadBioTokenizer(dir); // any model folder's tokenizer, read from disk
  const sp = specialsOf({ cfg: parseModelConfigText(readFileSync(resolve(dir, 'config.json'), 'utf8')) }, tok);
  const label = `${track}: ${dir.split('/').at(-1)}`;
  if (track === 'knowledge') {
    const block = lab(dir).knowledge as Parameters<typeof knowledgeConfig>[0];
    const cfg = knowledgeConfig(block);
    const world = makeWorld({ ...DEFAULT_WORLD, ...(block as { world?: object })?.world });
    const rng = mulberry32(1);
    const plans = world.evalItems.slice(0, ITEMS).map((item) => {
      const notes = demoNotes(rng, item).join('\n');
      const lens = notesData(notes, item).sequences.map((s) => encodeTrainSequence(tok, sp, s).ids.length);
      const prompts = item.questions.map((q) => answerPromptIds(tok, sp, item.title, q.question).length);
      return { lens, prompts };
    });
    const p = median(plans, (x) => x.lens.length);
    return {
      track: label, seqLens: p.lens, epochs: cfg.ttt.epochs, batchSize: cfg.ttt.batchSize, loraRank: cfg.ttt.loraRank, targets: cfg.ttt.targets,
      prompts: p.prompts.length, promptTokens: mean(p.prompts), newTokens: cfg.answer.maxNewTokens, slots, rollouts,
    };
  }
  const cfg = arcConfig(parseOverrides(lab(dir).arc ?? {}));
  const ctx = { tok, sp, cfg } as ArcContext; // what innerLoopPlan reads (no model, no events)
  const plan = arcTrack(ctx).innerLoopPlan;
  const tasks = miniArcTaskSet({ seed: 0 }).eval.slice(0, ITEMS);
  const plans = tasks.map((item, i) => {
    const p = plan(item, cfg.oracle, 1000 + i);
    const views = evaluationViews(item.task, 1000 + i, { geometric: cfg.eval.geometricViews, colourPermutations: cfg.eval.colourViews, leaveOneOut: cfg.eval.leaveOneOutViews });
    const prompts = views.map((v) => solvePrompt(tok, sp, v.task.train, v.task.test[0].input).length);
    return { lens: p.sequences.map((s) => s.ids.length), epochs: p.epochs, prompts, answer: tok.encode(`${gridToText(item.truth[0])}\n`).length + 1 };
  });
  const p = median(plans, (x) => x.lens.length);
  return {
    track: label, seqLens: p.lens, epochs: p.epochs, batchSize: cfg.ttt.batchSize, loraRank: cfg.ttt.loraRank, targets: cfg.ttt.targets,
    prompts: p.prompts.length, promptTokens: mean(p.prompts), newTokens: p.answer, slots, rollouts,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, ...rest] = process.argv.slice(2);
  if (!out) throw new Error('usage: npx tsx tools/lab/bench/inner_workloads.ts OUT.json [--inner-slots 1,2,4,8,16] [--inner-rollouts 16]');
  const f = parseFlags(rest, { 'inner-slots': 'string', 'inner-rollouts': 'string' });
  const slots = typeof f['inner-slots'] === 'string' ? intList(f['inner-slots'], '--inner-slots') : [1, 2, 4, 8, 16];
  const rollouts = num(f, 'inner-rollouts', 16, { int: true, min: 1 });
  const list: InnerWorkload[] = [];
  for (const t of INNER_TRACKS) list.push({ model: relative(ROOT, INNER_MODELS[t]), workload: await innerWorkload(t, slots, rollouts) });
  writeFileSync(out, JSON.stringify(list, null, 1) + '\n');
}
