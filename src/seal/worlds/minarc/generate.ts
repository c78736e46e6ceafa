// Seeded generation of mini-ARC task sets in the ARC Kaggle format (challenges + solutions), with per-task meta.
// Task i of a set depends only on (seed, i, its family): the same options always give the same tasks, and a
// longer set starts with the tasks of a shorter one. Families are dealt round-robin in a seeded order.
import type { ArcChallenges, ArcSolutions, Grid, Pair } from '../../arc/task.ts';
import { FAMILIES, PRIMITIVES, familyKinds, getFamily, type Family, type FamilyKind } from './families.ts';
import { gridKey, gridsEqual, height, width } from './grid.ts';
import { Rng, hashSeed } from '../../core/rng.ts';
import { familiesOf, splitOf, type Split } from './split.ts';

export interface GenerateOptions {
  seed: number;
  count: number;
  split: Split | 'all';
  /** Restrict to these families (each must belong to `split`). */
  families?: string[];
  /** Number of demos per task, [min, max] inclusive. Default [3, 4]. */
  demos?: [number, number];
  /** Largest side of any grid, input or output. Default 8; inputs are at most 6 (3 for scale/tile at 6). */
  maxSize?: number;
  /** Families the ambiguity check compares against: all (default) or the primitives only (faster). */
  check?: 'all' | 'primitives';
}

export interface TaskMeta {
  family: string;
  params: unknown;
  split: Split;
  kinds: FamilyKind[];
}

export interface MiniArc {
  challenges: ArcChallenges;
  solutions: ArcSolutions;
  meta: Record<string, TaskMeta>;
}

/** The lab's default mini-ARC task set: ReST-EM training tasks from `restem`, evaluation tasks from `heldout`. */
export const MINI_ARC_DEFAULT = { seed: 2025, heldoutCount: 20, trainCount: 12 } as const;

export function miniArcDefault(): { train: MiniArc; eval: MiniArc } {
  const { seed, heldoutCount, trainCount } = MINI_ARC_DEFAULT;
  return {
    train: generateTasks({ seed, count: trainCount, split: 'restem' }),
    eval: generateTasks({ seed, count: heldoutCount, split: 'heldout' }),
  };
}

const MAX_ATTEMPTS = 400;

export function generateTasks(opts: GenerateOptions): MiniArc {
  const { seed, count, split } = opts;
  const [dMin, dMax] = opts.demos ?? [3, 4];
  const maxSize = opts.maxSize ?? 8;
  if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 0) throw new Error('generateTasks: seed and count must be integers, count ≥ 0');
  if (!(Number.isInteger(dMin) && Number.isInteger(dMax) && dMin >= 1 && dMax >= dMin)) throw new Error('generateTasks: demos must be [min, max] with 1 ≤ min ≤ max');
  if (!(Number.isInteger(maxSize) && maxSize >= 3 && maxSize <= 30)) throw new Error('generateTasks: maxSize must be an integer in 3..30');
  const inSplit = familiesOf(split);
  for (const f of opts.families ?? []) if (!inSplit.includes(f)) throw new Error(`generateTasks: family "${f}" is not in split ${split}`);
  // A family needs inputs of side ≥ 3 (≥ 4 for some), so one whose outputs would outgrow maxSize is left out.
  const names = (opts.families ?? inSplit).filter((n) => getFamily(n).growth * 3 <= maxSize);
  if (count > 0 && names.length === 0) throw new Error(`generateTasks: no family fits maxSize ${maxSize}`);
  const checkSet = opts.check === 'primitives' ? PRIMITIVES : FAMILIES;

  const out: MiniArc = { challenges: {}, solutions: {}, meta: {} };
  let order: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % names.length === 0) order = new Rng(hashSeed(seed, 'order', split, i / names.length)).shuffle(names);
    const family = getFamily(order[i % names.length]);
    const rng = new Rng(hashSeed(seed, family.name, i));
    const task = makeTask(family, rng, { demos: [dMin, dMax], maxSize, checkSet });
    if (!task) throw new Error(`generateTasks: no valid ${family.name} task after ${MAX_ATTEMPTS} attempts (seed ${seed}, task ${i})`);
    const id = `mini-${family.name}-${seed}-${i}`;
    out.challenges[id] = { train: task.demos, test: [{ input: task.test.input }] };
    out.solutions[id] = [task.test.output];
    out.meta[id] = { family: family.name, params: task.params, split: splitOf(family.name), kinds: familyKinds(family.name) };
  }
  return out;
}

interface Made {
  params: unknown;
  demos: Pair[];
  test: Pair;
}

function makeTask(
  family: Family, rng: Rng, o: { demos: [number, number]; maxSize: number; checkSet: readonly Family[] },
): Made | null {
  const maxDim = Math.min(6, Math.floor(o.maxSize / family.growth));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const params = family.sample(rng);
    const n = rng.range(o.demos[0], o.demos[1]) + 1;
    const pairs: Pair[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < n; k++) {
      const input = family.makeInput(rng, params, { maxDim });
      const output = family.apply(input, params);
      if (!fits(input, o.maxSize) || !fits(output, o.maxSize)) break; // too big
      if (gridsEqual(input, output) || seen.has(gridKey(input))) break; // identity pair or repeated input
      seen.add(gridKey(input));
      pairs.push({ input, output });
    }
    if (pairs.length < n) continue;
    const demos = pairs.slice(0, -1), test = pairs[n - 1];
    if (ambiguity(family, demos, test, o.checkSet)) continue;
    return { params, demos, test };
  }
  return null;
}

const fits = (g: Grid, maxSize: number): boolean =>
  height(g) >= 1 && width(g) >= 1 && height(g) <= maxSize && width(g) <= maxSize &&
  g.every((r) => r.length === width(g) && r.every((v) => Number.isInteger(v) && v >= 0 && v <= 9));

/** Every (family, params) among `families` that maps each demo input to its output. */
export function explanations(demos: readonly Pair[], families: readonly Family[] = FAMILIES): Array<{ family: string; params: unknown }> {
  const found: Array<{ family: string; params: unknown }> = [];
  for (const f of families)
    for (const params of f.candidates(demos))
      if (demos.every((d) => gridsEqual(f.apply(d.input, params), d.output))) found.push({ family: f.name, params });
  return found;
}

/**
 * Why a task must be rejected, or null. Among the explanations of the demos (any family in `checkSet`, any
 * parameters, the task's own family included) only the simplest count, as a solver would prefer them: those with
 * the fewest primitives. If one of those predicts a test output other than the true one, the task is ambiguous.
 * So a primitive that explains the demos must always agree on the test. A held-out or ReST-EM task is also rejected
 * when any pretrain family explains its demos: its rule must be new.
 */
export function ambiguity(family: Family, demos: readonly Pair[], test: Pair, checkSet: readonly Family[] = FAMILIES): string | null {
  const found = explanations(demos, checkSet.includes(family) ? checkSet : [...checkSet, family]);
  if (splitOf(family.name) !== 'pretrain') {
    const known = found.find((e) => splitOf(e.family) === 'pretrain');
    if (known) return `demos explained by pretrain family ${known.family}`;
  }
  const simplest = Math.min(...found.map((e) => getFamily(e.family).parts.length));
  for (const e of found) {
    if (getFamily(e.family).parts.length > simplest) continue;
    if (!gridsEqual(getFamily(e.family).apply(test.input, e.params), test.output)) return `ambiguous with ${e.family} ${JSON.stringify(e.params)}`;
  }
  return null;
}
