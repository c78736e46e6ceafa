// The "cipher rows" world: ARC tasks on single-row grids (1 × W) whose rule is a structural operation on the row
// (reverse, cyclic shift, gravity, sort) followed by a colour rule. Pretraining tasks use colour rules a small
// model can read from its context (none, one colour recoloured, two colours swapped); the ReST-EM and held-out
// tasks apply a hidden cipher — every colour of the task's palette mapped to another — that in-context reading
// does not recover but a few gradient steps on the demonstrations can fit. Everything is pure and seeded: task i
// of a set depends only on (seed, split, i).
import type { ArcChallenges, ArcSolutions, Grid, Pair } from '../../arc/task.ts';
import { Rng, hashSeed } from '../../core/rng.ts';

/** Structural operations on a row; every one permutes the cells (so colours are kept, only positions move). */
export const OPS = [
  'identity', 'reverse', 'shift_right', 'shift_left', 'shift_right2', 'shift_left2', 'gravity_right', 'gravity_left', 'sort_asc', 'sort_desc',
] as const;
export type Op = (typeof OPS)[number];

/** How colours change after the operation. */
export const COLOUR_RULES = ['none', 'recolour', 'swap', 'cipher'] as const;
export type ColourRule = (typeof COLOUR_RULES)[number];

export type Split = 'pretrain' | 'restem' | 'heldout';

export interface Family {
  name: string;
  op: Op;
  colour: ColourRule;
}

/** Operations of the cipher (ReST-EM and held-out) families, and of the pretraining families. */
export const CIPHER_OPS: readonly Op[] = ['identity', 'reverse', 'shift_right', 'shift_left'];

const fam = (op: Op, colour: ColourRule): Family => ({ name: colour === 'none' ? op : `${op}+${colour}`, op, colour });

/**
 * Pretraining families: the cipher operations with colours kept. A 0.4 M model learnt to tell these four apart in
 * context within minutes; with the two-cell shifts, recolour / swap rules, gravity and sort added (30 or 18
 * families) it had not learnt to copy a row after 8–10 M tokens (tools/models/arcworld/README.md).
 */
export const PRETRAIN_FAMILIES: readonly Family[] = CIPHER_OPS.map((op) => fam(op, 'none'));
/** Further readable families, allowed in the pretraining split through `families` (not dealt by default). */
export const EXTRA_FAMILIES: readonly Family[] = OPS.flatMap((op) => (['none', 'recolour', 'swap'] as const).map((c) => fam(op, c)))
  .filter((f) => !PRETRAIN_FAMILIES.some((p) => p.name === f.name));
/** ReST-EM training and held-out families: an operation followed by a hidden cipher. */
export const CIPHER_FAMILIES: readonly Family[] = CIPHER_OPS.map((op) => fam(op, 'cipher'));

export function familiesOf(split: Split): readonly Family[] {
  return split === 'pretrain' ? PRETRAIN_FAMILIES : CIPHER_FAMILIES;
}

export function getFamily(name: string): Family {
  const f = [...PRETRAIN_FAMILIES, ...EXTRA_FAMILIES, ...CIPHER_FAMILIES].find((x) => x.name === name);
  if (!f) throw new Error(`cipher world: unknown family "${name}"`);
  return f;
}

// ---------------------------------------------------------------------------------------------- rules

const rotateRight = (r: readonly number[], k: number) => r.map((_, j) => r[(((j - k) % r.length) + r.length) % r.length]);

/** Apply a structural operation to one row. */
export function applyOp(op: Op, row: readonly number[]): number[] {
  switch (op) {
    case 'identity':
      return row.slice();
    case 'reverse':
      return row.slice().reverse();
    case 'shift_right':
      return rotateRight(row, 1);
    case 'shift_left':
      return rotateRight(row, -1);
    case 'shift_right2':
      return rotateRight(row, 2);
    case 'shift_left2':
      return rotateRight(row, -2);
    case 'gravity_right': {
      const nz = row.filter((c) => c !== 0);
      return [...row.filter((c) => c === 0), ...nz];
    }
    case 'gravity_left': {
      const nz = row.filter((c) => c !== 0);
      return [...nz, ...row.filter((c) => c === 0)];
    }
    case 'sort_asc':
      return row.slice().sort((a, b) => a - b);
    case 'sort_desc':
      return row.slice().sort((a, b) => b - a);
  }
}

/** A colour map (colour → colour; colours not listed stay as they are). */
export type ColourMap = Record<number, number>;

export function applyColourMap(row: readonly number[], map: ColourMap): number[] {
  return row.map((c) => map[c] ?? c);
}

/** The task's rule on a grid (every row of it; the world's grids have one row). */
export function applyRule(op: Op, map: ColourMap, g: Grid): Grid {
  return g.map((r) => applyColourMap(applyOp(op, r), map));
}

// ---------------------------------------------------------------------------------------------- generation

export interface CipherWorldOptions {
  seed: number;
  count: number;
  split: Split;
  /** Restrict to these family names (each must belong to the split). */
  families?: readonly string[];
  /** Demonstrations per task, [min, max]. Default [4, 4]. */
  demos?: [number, number];
  /** Row width, [min, max]. Default [6, 6]: one width, so a cell's source in the input is always the same
   * number of tokens back (what a tiny model learns first). */
  width?: [number, number];
  /** Non-zero colours per task, [min, max]. Default [3, 5]. */
  palette?: [number, number];
}

export interface CipherTaskMeta {
  family: string;
  op: Op;
  colour: ColourRule;
  /** The colour map after the operation (only colours that change). */
  map: ColourMap;
  palette: number[];
  width: number;
  split: Split;
}

export interface CipherWorld {
  challenges: ArcChallenges;
  solutions: ArcSolutions;
  meta: Record<string, CipherTaskMeta>;
}

const MAX_ATTEMPTS = 500;

function colourMapFor(rule: ColourRule, palette: readonly number[], rng: Rng): ColourMap {
  const others = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((c) => !palette.includes(c));
  switch (rule) {
    case 'none':
      return {};
    case 'recolour':
      return { [rng.pick(palette)]: rng.pick(others) };
    case 'swap': {
      const [a, b] = rng.shuffle(palette);
      return { [a]: b, [b]: a };
    }
    case 'cipher': {
      // an injective map of the palette into 1–9 with no fixed point
      for (;;) {
        const targets = rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9]).slice(0, palette.length);
        if (targets.every((t, i) => t !== palette[i])) return Object.fromEntries(palette.map((c, i) => [c, targets[i]]));
      }
    }
  }
}

const changed = (m: ColourMap) => Object.entries(m).filter(([a, b]) => Number(a) !== b).length;

/**
 * Does another operation with a colour map at most as complex as the true one explain every demonstration but
 * answer the test differently? (Then the task is ambiguous and is drawn again.)
 */
export function isAmbiguous(train: readonly Pair[], testInput: Grid, truth: Grid, trueMap: ColourMap): boolean {
  const budget = changed(trueMap);
  for (const op of OPS) {
    const f = new Map<number, number>();
    let ok = true;
    for (const p of train) {
      const z = applyOp(op, p.input[0]);
      const y = p.output[0];
      if (z.length !== y.length) return true;
      for (let j = 0; j < z.length && ok; j++) {
        const have = f.get(z[j]);
        if (have === undefined) f.set(z[j], y[j]);
        else if (have !== y[j]) ok = false;
      }
      if (!ok) break;
    }
    if (!ok) continue;
    const images = [...f.values()];
    if (new Set(images).size !== images.length) continue; // not injective
    if ([...f].filter(([a, b]) => a !== b).length > budget) continue;
    const z = applyOp(op, testInput[0]);
    const pred = z.map((c) => f.get(c));
    if (pred.some((c) => c === undefined)) return true;
    if (pred.some((c, j) => c !== truth[0][j])) return true;
  }
  return false;
}

function drawRow(rng: Rng, width: number, palette: readonly number[], zeroP: number): number[] {
  return Array.from({ length: width }, () => (rng.bool(zeroP) ? 0 : rng.pick(palette)));
}

/** One task of a family, from its own seeded stream; null when no valid draw was found. */
export function generateTask(family: Family, rng: Rng, opts: Required<Pick<CipherWorldOptions, 'demos' | 'width' | 'palette'>>) {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const width = rng.range(opts.width[0], opts.width[1]);
    const k = rng.range(opts.palette[0], opts.palette[1]);
    const palette = rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9]).slice(0, k).sort((a, b) => a - b);
    const gravity = family.op.startsWith('gravity');
    const zeroP = gravity ? 0.35 : rng.pick([0, 0, 0.2]);
    const map = colourMapFor(family.colour, palette, rng);
    const nDemos = rng.range(opts.demos[0], opts.demos[1]);
    const rows: number[][] = [];
    for (let i = 0; i <= nDemos; i++) {
      let row: number[] = [];
      for (let tries = 0; tries < 50; tries++) {
        row = drawRow(rng, width, palette, zeroP);
        const distinct = new Set(row.filter((c) => c !== 0)).size;
        const moved = family.op === 'identity' || applyOp(family.op, row).some((c, j) => c !== row[j]);
        if (distinct >= 2 && moved && (!gravity || row.includes(0))) break;
        row = [];
      }
      if (!row.length) break;
      rows.push(row);
    }
    if (rows.length !== nDemos + 1) continue;
    const demoColours = new Set(rows.slice(0, nDemos).flat());
    // every palette colour is demonstrated, and the test uses only demonstrated colours
    if (!palette.every((c) => demoColours.has(c))) continue;
    if (!rows[nDemos].every((c) => demoColours.has(c))) continue;
    const mapped = Object.keys(map).map(Number);
    // a recoloured / swapped colour must appear in the test input (else the colour rule is invisible there)
    if (family.colour !== 'cipher' && family.colour !== 'none' && !mapped.some((c) => rows[nDemos].includes(c))) continue;
    const train: Pair[] = rows.slice(0, nDemos).map((r) => ({ input: [r], output: applyRule(family.op, map, [r]) }));
    const testInput: Grid = [rows[nDemos]];
    const truth = applyRule(family.op, map, testInput);
    if (family.name !== 'identity' && train.some((p) => p.input[0].every((c, j) => c === p.output[0][j]))) continue;
    if (isAmbiguous(train, testInput, truth, map)) continue;
    return { train, testInput, truth, meta: { family: family.name, op: family.op, colour: family.colour, map, palette, width } };
  }
  return null;
}

/** A seeded task set in the ARC Kaggle format, with per-task meta. Families are dealt round-robin in a seeded order. */
export function generateCipherTasks(opts: CipherWorldOptions): CipherWorld {
  const { seed, count, split } = opts;
  if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 0) throw new Error('generateCipherTasks: seed and count must be integers, count ≥ 0');
  const inSplit = familiesOf(split);
  const allowed = split === 'pretrain' ? [...inSplit, ...EXTRA_FAMILIES] : inSplit;
  const fams = opts.families ? opts.families.map((n) => {
    const f = allowed.find((x) => x.name === n);
    if (!f) throw new Error(`generateCipherTasks: family "${n}" is not in split ${split}`);
    return f;
  }) : inSplit;
  const o = { demos: opts.demos ?? [4, 4], width: opts.width ?? [6, 6], palette: opts.palette ?? [3, 5] } as const;
  if (o.width[0] < 3 || o.width[1] > 30 || o.width[0] > o.width[1]) throw new Error('generateCipherTasks: width must be within 3..30');
  if (o.palette[0] < 2 || o.palette[1] > 9 || o.palette[0] > o.palette[1]) throw new Error('generateCipherTasks: palette must be within 2..9');
  if (o.demos[0] < 2 || o.demos[0] > o.demos[1]) throw new Error('generateCipherTasks: demos must be [min, max] with min ≥ 2');
  const order = new Rng(hashSeed('cipher-order', seed, split)).shuffle(fams);
  const out: CipherWorld = { challenges: {}, solutions: {}, meta: {} };
  for (let i = 0; i < count; i++) {
    const family = order[i % order.length];
    const h = hashSeed('cipher', seed, split, i);
    const t = generateTask(family, new Rng(h), o as Required<Pick<CipherWorldOptions, 'demos' | 'width' | 'palette'>>);
    if (!t) throw new Error(`generateCipherTasks: no valid task of ${family.name} (seed ${seed}, index ${i})`);
    const id = `${family.name}.${h.toString(16).padStart(8, '0')}`;
    out.challenges[id] = { train: t.train, test: [{ input: t.testInput }] };
    out.solutions[id] = [t.truth];
    out.meta[id] = { ...t.meta, split };
  }
  return out;
}
