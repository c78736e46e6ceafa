// The CLI's SEAL runs (`arc`, `knowledge`): flags → a seal-run request, progress on stderr, the table of results
// beside the paper's on stdout, everything (every self-edit, answer, grade and timing) as JSON with --out.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { TRACK_LABELS, type SealRunRequest, type SealRunResult } from '../../../src/seal/tracks.ts';
import { methodLabel, paperValue } from '../../../src/store/labels.ts';
import { num, UsageError } from './args.ts';
import type { Engine } from './launch.ts';
import type { EngineEvent } from '../../../src/protocol/api.ts';

type Flags = Record<string, string | true>;

const str = (flags: Flags, k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
const opt = (flags: Flags, k: string) => (k in flags ? num(flags, k, 0, { int: true, min: 0 }) : undefined);

function readJson(f: string): unknown {
  if (!existsSync(f)) throw new UsageError(`no such file: ${f}`);
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as unknown;
  } catch (e) {
    throw new UsageError(`${f} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Challenges + solutions JSON from disk; the solutions path defaults to the challenges name with "solutions". */
function arcFiles(challenges: string, solutions?: string) {
  const sol = solutions ?? challenges.replace(/challenges/g, 'solutions');
  if (sol === challenges) throw new UsageError(`cannot infer the solutions file for ${challenges}: pass it explicitly`);
  return { challenges: readJson(challenges), solutions: readJson(sol) };
}

export const ARC_FLAGS = {
  tasks: 'string', solutions: 'string', 'train-tasks': 'string', 'train-solutions': 'string', rounds: 'string', seed: 'string', 'max-train': 'string',
  'max-eval': 'string', 'self-edits-train': 'string', 'self-edits-eval': 'string', 'ttt-seeds': 'string', 'no-icl': 'boolean', 'no-no-rl': 'boolean', 'no-oracle': 'boolean',
  'stop-on-failed-round': 'boolean', slots: 'string',
} as const;

export function arcRequest(flags: Flags): SealRunRequest {
  const tasks = str(flags, 'tasks');
  if (!tasks) throw new UsageError('--tasks is required');
  const train = str(flags, 'train-tasks');
  return {
    track: 'arc',
    tasks: tasks === 'mini'
      ? { source: 'mini' }
      : { source: 'files', eval: arcFiles(tasks, str(flags, 'solutions')), train: train ? arcFiles(train, str(flags, 'train-solutions')) : undefined },
    maxTrain: opt(flags, 'max-train'),
    maxEval: opt(flags, 'max-eval'),
    config: {
      seed: num(flags, 'seed', 0, { int: true, min: 0 }),
      rounds: num(flags, 'rounds', 1, { int: true, min: 0 }),
      selfEditsPerTrainTask: num(flags, 'self-edits-train', 15, { int: true, min: 1 }),
      selfEditsPerEvalTask: num(flags, 'self-edits-eval', 5, { int: true, min: 1 }),
      tttSeeds: num(flags, 'ttt-seeds', 1, { int: true, min: 1 }),
      ...('slots' in flags && { slots: num(flags, 'slots', 0, { int: true, min: 0 }) }),
      methods: { icl: !flags['no-icl'], noRl: !flags['no-no-rl'], oracle: !flags['no-oracle'] },
      onFailedRound: flags['stop-on-failed-round'] ? 'stop' : 'continue',
    },
  };
}

export const KNOWLEDGE_FLAGS = {
  passages: 'string', references: 'string', rounds: 'string', seed: 'string', k: 'string', 'eval-k': 'string', 'ttt-seeds': 'string', cpt: 'string', forgetting: 'string',
  'max-train': 'string', 'max-eval': 'string', prompt: 'string', grader: 'string', 'no-base': 'boolean', 'no-passage': 'boolean', 'no-own': 'boolean', 'no-reference': 'boolean',
  'stop-on-failed-round': 'boolean', slots: 'string',
} as const;

const PROMPTS = ['implications', 'implications-long', 'implications-very-long', 'rewrite', 'self-qa'] as const;
const GRADERS = ['exact', 'f1', 'contains', 'judge'] as const;

function oneOf<T extends string>(flags: Flags, k: string, values: readonly T[]): T | undefined {
  const v = str(flags, k);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new UsageError(`--${k} must be one of ${values.join(', ')}, got "${v}"`);
  return v as T;
}

/** Settings the user left out stay the model's (seal_lab.json) or the paper's. */
export function knowledgeRequest(flags: Flags): SealRunRequest {
  const passages = str(flags, 'passages');
  if (!passages) throw new UsageError('--passages is required (mini, or a SQuAD-shaped JSON file)');
  const refs = str(flags, 'references');
  if (refs && passages === 'mini') throw new UsageError('--references is for a passages file (the mini world brings its own)');
  const int = (k: string, min: number) => (k in flags ? num(flags, k, 0, { int: true, min }) : undefined);
  return {
    track: 'knowledge',
    passages: passages === 'mini' ? { source: 'mini', seed: int('seed', 0) } : { source: 'file', label: passages, passages: readJson(passages), ...(refs && { references: readJson(refs) }) },
    maxTrain: opt(flags, 'max-train'),
    maxEval: opt(flags, 'max-eval'),
    config: {
      seed: num(flags, 'seed', 0, { int: true, min: 0 }), rounds: int('rounds', 0), selfEditsPerPassage: int('k', 1), evalSelfEditsPerPassage: int('eval-k', 1), tttSeeds: int('ttt-seeds', 1),
      cptPassages: int('cpt', 0), forgettingPassages: int('forgetting', 0), slots: int('slots', 0), prompt: oneOf(flags, 'prompt', PROMPTS), grader: oneOf(flags, 'grader', GRADERS),
      methods: { base: !flags['no-base'], passage: !flags['no-passage'], own: !flags['no-own'], reference: !flags['no-reference'] },
      onFailedRound: flags['stop-on-failed-round'] ? 'stop' : 'continue',
    },
  };
}

/** Runs the request, streaming phases and results to stderr; prints the table; writes --out (with the model card). `onEvent` sees every event (npm run record keeps them). */
export async function runSeal(engine: Engine, req: SealRunRequest, out: string | undefined, model?: object, onEvent?: (e: EngineEvent) => void): Promise<SealRunResult> {
  const t0 = Date.now();
  const r = await engine.call('seal-run', req, (e) => {
    onEvent?.(e);
    if (e.type !== 'seal') return;
    const ev = e.event;
    const at = `[${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s]`;
    if (ev.type === 'phase') process.stderr.write(`${at} ${ev.phase}${ev.itemId ? ` ${ev.itemId}` : ''}: ${ev.explain}\n`);
    if (ev.type === 'method-result') process.stderr.write(`${at} ${ev.result.method} round ${ev.result.round}: ${+ev.result.solved.toFixed(2)}/${ev.result.total}\n`);
  });
  const { metric, items } = TRACK_LABELS[r.track];
  const rows = r.methods.map((m) => {
    const paper = paperValue(r.track, m.method, m.round);
    const ci = m.interval ? `[${(100 * m.interval[0]).toFixed(1)}, ${(100 * m.interval[1]).toFixed(1)}]` : '';
    return `  ${methodLabel(m.method, m.round).padEnd(28)} ${`${(100 * m.successRate).toFixed(1)}%`.padStart(7)} ${ci.padEnd(14)} (${+m.solved.toFixed(2)}/${m.total})   paper ${paper ?? '–'}${paper === null ? '' : '%'}`;
  });
  process.stdout.write(`${'method'.padEnd(30)} ${metric} [95 % interval]\n${rows.join('\n')}\n  ${r.items.train.length} ${items[0]}, ${r.items.eval.length} ${items[1]}, ${r.seconds.toFixed(0)} s\n`);
  if (r.track === 'knowledge' && r.forgetting.length) {
    const last = Math.max(...r.forgetting.map((c) => c.step));
    const mean = (xs: number[]) => (xs.length ? `${(100 * xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)}%` : '–');
    process.stdout.write(`  forgetting (${last} edits): own passage right after its edit ${mean(r.forgetting.filter((c) => c.column === c.step - 1).map((c) => c.accuracy))}, ` +
      `all passages after the last edit ${mean(r.forgetting.filter((c) => c.step === last).map((c) => c.accuracy))}\n`);
  }
  if (out) writeFileSync(out, JSON.stringify(model ? { ...r, model } : r, null, 1) + '\n');
  return r;
}
