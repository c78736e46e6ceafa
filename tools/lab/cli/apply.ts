// `npm run seal -- apply`: a student's self-edit (a file: notes, or an ARC configuration as JSON) applied to a model
// as the lab's inner loop applies the model's own (seal/core/yours.ts), for scripted classroom exercises. The item
// is named as the lab names it, among the items the same `knowledge`/`arc` flags would give a run (default: the mini
// world with the model's seal_lab.json settings); its TTT seeds are those of the item's first self-edit in that run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolveSetup, type ApplySetup } from '../../../src/seal/tracks.ts';
import { UsageError } from './args.ts';
import type { Engine } from './launch.ts';
import { ARC_FLAGS, arcRequest, KNOWLEDGE_FLAGS, knowledgeRequest } from './runs.ts';

type Flags = Record<string, string | true>;

export const APPLY_FLAGS = { ...ARC_FLAGS, ...KNOWLEDGE_FLAGS, track: 'string', item: 'string', 'self-edit': 'string' } as const;

export const APPLY_USAGE = `  apply      --model DIR|URL --track knowledge|arc --item ID --self-edit FILE [--seed S (0)] [--out FILE]
             [the knowledge or arc command's flags: --passages mini|FILE, --tasks mini|FILE, --max-train N, --max-eval N…]
             A student's self-edit applied as the inner loop applies the model's (same sequence builder, settings and
             TTT seeds as the item's first self-edit in the run those flags describe; --passages/--tasks default to
             mini). FILE: notes (knowledge) or the JSON configuration (arc), parsed by the track's own parser. Prints
             the reward; --out writes {reward, rewards, reason, answers, grades, rollout, item, model}.`;

/** The run the flags describe (the apply's settings and items), and the self-edit's text. */
export function applyRequest(flags: Flags) {
  const track = flags.track;
  if (track !== 'knowledge' && track !== 'arc') throw new UsageError('--track must be knowledge or arc');
  if (typeof flags.item !== 'string') throw new UsageError('--item is required (a passage or task id, as the lab names it)');
  const file = flags['self-edit'];
  if (typeof file !== 'string') throw new UsageError('--self-edit FILE is required');
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const req = track === 'arc' ? arcRequest({ tasks: 'mini', ...flags }) : knowledgeRequest({ passages: 'mini', ...flags });
  return { req, item: flags.item, text: readFileSync(file, 'utf8') };
}

/** Applies it and prints the reward (and the JSON with --out). */
export async function runApply(engine: Engine, flags: Flags, sealLab: Parameters<typeof resolveSetup>[0], model: object): Promise<void> {
  const { req, item, text } = applyRequest(flags);
  const setup: ApplySetup = resolveSetup(sealLab, req);
  const { rollout: r } = await engine.call('apply-self-edit', { setup, edit: { id: 'y1', itemId: item, text } });
  const grades = r.track === 'knowledge'
    ? r.answers.map((a) => a.correct)
    : r.truth.map((t, i) => (r.answers[i] ?? []).some((a) => JSON.stringify(a) === JSON.stringify(t)));
  process.stdout.write(`${item}: reward ${+(r.reward ?? 0).toFixed(4)} (${r.reason})\n`);
  const out = typeof flags.out === 'string' ? flags.out : undefined;
  if (out) writeFileSync(out, JSON.stringify({ reward: r.reward, rewards: r.rewards, reason: r.reason, answers: r.answers, grades, item, rollout: r, model }, null, 1) + '\n');
}
