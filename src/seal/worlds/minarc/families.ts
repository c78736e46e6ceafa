// Mini-ARC transformation families: single primitives (a table, one small function each) and compositions of
// two primitives ("A+B" = apply A, then B). Every family can sample its parameters, apply its rule, make inputs
// on which the rule is visible, and list the parameter settings that could explain given demos (used by the
// generator's ambiguity check). Colours are 0–9; 0 is the background.
import type { Grid, Pair } from '../../arc/task.ts';
import * as G from './grid.ts';
import { COLOURS, busyGrid, dims, pickColours, placeShapes, scatter, type MakeOpts } from './makers.ts';
import type { Rng } from '../../core/rng.ts';
import {
  DIRS, STEP, TILE_MODES, changed, coloursIn, crop, fillEnclosed, fillMarkedRows, gravity, inferColourMap, mapColours,
  moveColour, outline, recolourLargest, scale, tile, type Dir, type TileMode,
} from './rules.ts';

export type FamilyKind = 'geometric' | 'colour' | 'gravity' | 'fill' | 'scale' | 'tile' | 'object';

// Families of different parameter types share one list (FAMILIES), so the default parameter type is open.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Family<P = any> {
  name: string;
  kind: FamilyKind;
  /** Primitive names: one for a primitive, two (in order of application) for a composition. */
  parts: string[];
  /** Largest factor by which an output side can exceed the input's (2 for scale and tile). */
  growth: number;
  sample(rng: Rng): P;
  apply(grid: Grid, params: P): Grid;
  makeInput(rng: Rng, params: P, opts?: Partial<MakeOpts>): Grid;
  /** Parameter settings worth testing against these demos (all of them, pruned only by the demo inputs). */
  candidates(pairs: readonly Pair[]): P[];
  /** Colours the rule acts on, for colour families (a composition makes its inputs with these). */
  palette?(params: P): number[];
}

// ---------------------------------------------------------------- primitive families

const geometric = (name: string, fn: (g: Grid) => Grid): Family<Record<string, never>> => ({
  name, kind: 'geometric', parts: [name], growth: 1,
  sample: () => ({}),
  apply: (g) => fn(g),
  makeInput: (rng, _p, o) => busyGrid(rng, o),
  candidates: () => [{}],
});

/** A family whose only parameter is one colour 1–9 (tested exhaustively). */
const byColour = (
  name: string, kind: FamilyKind, fn: (g: Grid, colour: number) => Grid,
  make: (rng: Rng, colour: number, o?: Partial<MakeOpts>) => Grid,
): Family<{ colour: number }> => ({
  name, kind, parts: [name], growth: 1,
  sample: (rng) => ({ colour: rng.pick(COLOURS) }),
  apply: (g, p) => fn(g, p.colour),
  makeInput: (rng, p, o) => make(rng, p.colour, o),
  candidates: () => COLOURS.map((colour) => ({ colour })),
});

const colourSwap: Family<{ a: number; b: number }> = {
  name: 'colour_swap', kind: 'colour', parts: ['colour_swap'], growth: 1,
  sample: (rng) => { const [a, b] = rng.shuffle(COLOURS); return { a, b }; },
  apply: (g, { a, b }) => mapColours(g, [[a, b], [b, a]]),
  makeInput: (rng, { a, b }, o) => {
    const [h, w] = dims(rng, o);
    return scatter(rng, h, w, 0.4 + 0.3 * rng.next(), [a, b, ...(rng.bool() ? pickColours(rng, 1, undefined, [a, b]) : [])]);
  },
  candidates: (pairs) => {
    const ch = changed(inferColourMap(pairs));
    return ch?.length === 2 && ch[0][0] === ch[1][1] && ch[0][1] === ch[1][0] ? [{ a: ch[0][0], b: ch[0][1] }] : [];
  },
  palette: ({ a, b }) => [a, b],
};

const colourMap: Family<{ map: Array<[number, number]> }> = {
  name: 'colour_map', kind: 'colour', parts: ['colour_map'], growth: 1,
  sample: (rng) => {
    const cols = rng.shuffle(COLOURS);
    if (rng.bool(0.3)) return { map: [[cols[0], cols[1]], [cols[1], cols[2]], [cols[2], cols[0]]] }; // a 3-cycle
    const n = rng.range(2, 3);
    return { map: cols.slice(0, n).map((from): [number, number] => [from, rng.pick(cols.slice(n))]) };
  },
  apply: (g, p) => mapColours(g, p.map),
  makeInput: (rng, p, o) => {
    const [h, w] = dims(rng, o);
    const used = p.map.flat();
    return scatter(rng, h, w, 0.4 + 0.3 * rng.next(), [...p.map.map(([a]) => a), ...(rng.bool() ? pickColours(rng, 1, undefined, used) : [])]);
  },
  candidates: (pairs) => {
    const ch = changed(inferColourMap(pairs));
    return ch ? [{ map: ch }] : [];
  },
  palette: (p) => p.map.map(([a]) => a),
};

const gravityFamily: Family<{ dir: Dir }> = {
  name: 'gravity', kind: 'gravity', parts: ['gravity'], growth: 1,
  sample: (rng) => ({ dir: rng.pick(DIRS) }),
  apply: (g, p) => gravity(g, p.dir),
  makeInput: (rng, _p, o) => {
    const [h, w] = dims(rng, o);
    return scatter(rng, h, w, 0.15 + 0.25 * rng.next(), pickColours(rng, rng.range(2, 3), o));
  },
  candidates: () => DIRS.map((dir) => ({ dir })),
};

const fillRect = byColour('fill_rect', 'fill', fillEnclosed, (rng, colour, o) => {
  const [h, w] = dims(rng, o, 4);
  const g = G.full(h, w);
  const border = pickColours(rng, 1, o, [colour])[0];
  const taken = new Set<string>();
  for (let n = rng.range(1, 2), t = 0; n > 0 && t < 30; t++) {
    const rh = rng.range(3, Math.min(h, 5)), rw = rng.range(3, Math.min(w, 5));
    const r0 = rng.int(h - rh + 1), c0 = rng.int(w - rw + 1);
    const cells: Array<[number, number]> = [];
    for (let r = r0; r < r0 + rh; r++) for (let c = c0; c < c0 + rw; c++) if (r === r0 || c === c0 || r === r0 + rh - 1 || c === c0 + rw - 1) cells.push([r, c]);
    if (cells.some(([r, c]) => taken.has(`${r},${c}`))) continue;
    for (const [r, c] of cells) g[r][c] = border;
    for (let r = r0 - 1; r <= r0 + rh; r++) for (let c = c0 - 1; c <= c0 + rw; c++) taken.add(`${r},${c}`);
    n--;
  }
  return g;
});

const fillRows: Family<{ colour: number; axis: 'row' | 'col' }> = {
  name: 'fill_rows', kind: 'fill', parts: ['fill_rows'], growth: 1,
  sample: (rng) => ({ colour: rng.pick(COLOURS), axis: rng.pick(['row', 'col'] as const) }),
  apply: (g, p) => (p.axis === 'row' ? fillMarkedRows(g, p.colour) : G.transpose(fillMarkedRows(G.transpose(g), p.colour))),
  makeInput: (rng, p, o) => {
    const [h, w] = dims(rng, o);
    const g = scatter(rng, h, w, 0.15, pickColours(rng, rng.range(1, 2), o, [p.colour]));
    const lines = rng.shuffle(Array.from({ length: p.axis === 'row' ? h : w }, (_, i) => i)).slice(0, rng.range(1, 2));
    for (const i of lines) {
      const j = rng.int(p.axis === 'row' ? w : h);
      if (p.axis === 'row') g[i][j] = p.colour;
      else g[j][i] = p.colour;
    }
    return g;
  },
  candidates: (pairs) => coloursIn(pairs).flatMap((colour) => [{ colour, axis: 'row' as const }, { colour, axis: 'col' as const }]),
};

const SCALES: ReadonlyArray<[number, number]> = [[2, 2], [2, 2], [2, 1], [1, 2]];
const scaleFamily: Family<{ fy: number; fx: number }> = {
  name: 'scale', kind: 'scale', parts: ['scale'], growth: 2,
  sample: (rng) => { const [fy, fx] = rng.pick(SCALES); return { fy, fx }; },
  apply: (g, p) => scale(g, p.fy, p.fx),
  makeInput: (rng, _p, o) => busyGrid(rng, o),
  candidates: () => SCALES.slice(1).map(([fy, fx]) => ({ fy, fx })),
};

const tileFamily: Family<{ mode: TileMode }> = {
  name: 'tile', kind: 'tile', parts: ['tile'], growth: 2,
  sample: (rng) => ({ mode: rng.pick(TILE_MODES) }),
  apply: (g, p) => tile(g, p.mode),
  makeInput: (rng, _p, o) => busyGrid(rng, o),
  candidates: () => TILE_MODES.map((mode) => ({ mode })),
};

const moveFamily: Family<{ colour: number; dir: Dir; wrap: boolean }> = {
  name: 'move', kind: 'object', parts: ['move'], growth: 1,
  sample: (rng) => ({ colour: rng.pick(COLOURS), dir: rng.pick(DIRS), wrap: rng.bool() }),
  apply: (g, p) => moveColour(g, p.colour, p.dir, p.wrap),
  makeInput: (rng, p, o) => {
    const [h, w] = dims(rng, o);
    const g = G.full(h, w);
    const [dr, dc] = STEP[p.dir];
    const cells = rng.shuffle(Array.from({ length: h * w }, (_, i): [number, number] => [Math.floor(i / w), i % w]));
    const atEdge = ([r, c]: [number, number]) => r + dr < 0 || c + dc < 0 || r + dr >= h || c + dc >= w;
    const targets = cells.filter((x) => !atEdge(x)).slice(0, rng.range(1, 3));
    if (rng.bool(0.6)) targets.push(cells.find((x) => atEdge(x))!);
    const blocked = new Set(targets.flatMap(([r, c]) => [`${r},${c}`, `${(r + dr + h) % h},${(c + dc + w) % w}`]));
    const others = pickColours(rng, 2, o, [p.colour]);
    const free = cells.filter(([r, c]) => !blocked.has(`${r},${c}`)).slice(0, rng.range(1, 3));
    for (const [r, c] of targets) g[r][c] = p.colour;
    for (const [r, c] of free) g[r][c] = rng.pick(others);
    return g;
  },
  candidates: (pairs) => coloursIn(pairs).flatMap((colour) => DIRS.flatMap((dir) => [true, false].map((wrap) => ({ colour, dir, wrap })))),
};

const cropFamily: Family<Record<string, never>> = {
  name: 'crop', kind: 'object', parts: ['crop'], growth: 1,
  sample: () => ({}),
  apply: (g) => crop(g),
  makeInput: (rng, _p, o) => {
    const [h, w] = dims(rng, o, 4);
    const bh = rng.range(2, Math.min(4, h - 1)), bw = rng.range(2, Math.min(4, w - 1));
    const r0 = rng.int(h - bh + 1), c0 = rng.int(w - bw + 1);
    const cols = pickColours(rng, rng.range(1, 2), o);
    const box = scatter(rng, bh, bw, 0.6, cols);
    // Every edge of the box holds a cell, so the box is exactly the bounding box.
    for (const [r, c] of [[0, rng.int(bw)], [bh - 1, rng.int(bw)], [rng.int(bh), 0], [rng.int(bh), bw - 1]]) box[r][c] ||= rng.pick(cols);
    const g = G.full(h, w);
    box.forEach((row, r) => row.forEach((v, c) => (g[r0 + r][c0 + c] = v)));
    return g;
  },
  candidates: () => [{}],
};

const recolourLargestFamily = byColour('recolour_largest', 'object', recolourLargest, (rng, colour, o) => {
  const [h, w] = dims(rng, o, 4);
  const g = G.full(h, w);
  const base = pickColours(rng, 1, o, [colour])[0];
  const sizes = rng.shuffle([1, 2, 3, 4, 5]).slice(0, rng.range(2, 3));
  for (const s of placeShapes(rng, h, w, sizes)) for (const [r, c] of s) g[r][c] = base;
  return g;
});

const outlineFamily = byColour('outline', 'fill', outline, (rng, colour, o) => {
  const [h, w] = dims(rng, o, 4);
  const g = G.full(h, w);
  const base = pickColours(rng, 1, o, [colour])[0];
  const shapes = placeShapes(rng, h, w, Array.from({ length: rng.range(1, 2) }, () => rng.range(1, 3)));
  for (const s of shapes) for (const [r, c] of s) g[r][c] = base;
  return g;
});

export const PRIMITIVES: readonly Family[] = [
  geometric('rotate90', G.rotate90),
  geometric('rotate180', G.rotate180),
  geometric('rotate270', G.rotate270),
  geometric('flip_h', G.flipH),
  geometric('flip_v', G.flipV),
  geometric('transpose', G.transpose),
  colourSwap,
  colourMap,
  gravityFamily,
  fillRect,
  fillRows,
  scaleFamily,
  tileFamily,
  moveFamily,
  cropFamily,
  recolourLargestFamily,
  outlineFamily,
];

const INVERSE: Record<string, (g: Grid) => Grid> = {
  rotate90: G.rotate270, rotate180: G.rotate180, rotate270: G.rotate90, flip_h: G.flipH, flip_v: G.flipV, transpose: G.transpose,
};

/**
 * "a+b": apply a, then b. Inputs come from the maker of the structured part: when a is geometric, b's input
 * mapped back through a's inverse (so a's output looks like b's input); otherwise a's maker, drawing its free
 * colours from b's palette when b is a colour family. A colour family is never first (its candidates are
 * inferred from demos, which only works on the last step).
 */
export function compose(a: Family, b: Family): Family<[unknown, unknown]> {
  if (a.parts.length > 1 || b.parts.length > 1) throw new Error('compose: primitives only');
  if (a.kind === 'colour') throw new Error(`compose: colour family ${a.name} must come second`);
  const inverse = INVERSE[a.name];
  return {
    name: `${a.name}+${b.name}`, kind: a.kind, parts: [a.name, b.name], growth: a.growth * b.growth,
    sample: (rng) => [a.sample(rng), b.sample(rng)],
    apply: (g, [pa, pb]) => b.apply(a.apply(g, pa), pb),
    makeInput: (rng, [pa, pb], o) =>
      inverse ? inverse(b.makeInput(rng, pb, o)) : a.makeInput(rng, pa, b.palette ? { ...o, palette: b.palette(pb) } : o),
    candidates: (pairs) => a.candidates(pairs).flatMap((pa) =>
      b.candidates(pairs.map((p) => ({ input: a.apply(p.input, pa), output: p.output }))).map((pb): [unknown, unknown] => [pa, pb])),
  };
}

const byName = (name: string): Family => {
  const f = PRIMITIVES.find((p) => p.name === name);
  if (!f) throw new Error(`unknown primitive ${name}`);
  return f;
};

/** The compositions (a, then b) that are families of their own; split.ts assigns each to a split. */
export const COMPOSITION_PARTS: ReadonlyArray<readonly [string, string]> = [
  ['flip_v', 'colour_swap'],
  ['gravity', 'colour_map'],
  ['crop', 'flip_h'],
  ['scale', 'colour_swap'],
  ['rotate180', 'fill_rows'],
  ['recolour_largest', 'rotate90'],
  ['gravity', 'rotate90'],
  ['crop', 'rotate180'],
  ['scale', 'flip_h'],
  ['tile', 'transpose'],
  ['move', 'flip_v'],
  ['fill_rect', 'rotate270'],
  ['flip_h', 'colour_map'],
  ['rotate90', 'colour_swap'],
  ['transpose', 'colour_map'],
  ['crop', 'colour_map'],
  ['tile', 'colour_swap'],
  ['outline', 'colour_map'],
  ['gravity', 'flip_h'],
  ['crop', 'transpose'],
  ['move', 'rotate180'],
  ['tile', 'flip_v'],
  ['fill_rows', 'rotate90'],
  ['rotate180', 'colour_map'],
  ['transpose', 'colour_swap'],
  ['fill_rect', 'flip_h'],
];

export const COMPOSITIONS: readonly Family[] = COMPOSITION_PARTS.map(([a, b]) => compose(byName(a), byName(b)));
export const FAMILIES: readonly Family[] = [...PRIMITIVES, ...COMPOSITIONS];
const INDEX = new Map(FAMILIES.map((f) => [f.name, f]));

export function getFamily(name: string): Family {
  const f = INDEX.get(name);
  if (!f) throw new Error(`unknown mini-ARC family "${name}"`);
  return f;
}

/** The kinds of a family's primitives (e.g. flip_h+colour_map → ['geometric', 'colour']). */
export const familyKinds = (name: string): FamilyKind[] => getFamily(name).parts.map((p) => getFamily(p).kind);
