// Grid helpers for ARC: shape, equality, content keys, the geometric transforms the augmenters and evaluation
// views are built from, and colour permutations. Every function is pure: it never mutates
// its arguments and always returns fresh arrays.

import type { Rng } from '../core/rng.ts';
import type { ArcTask, Grid, Pair } from './task.ts';

// ---------------------------------------------------------------------------------------------- basics

/** [rows, cols]; cols is 0 for an empty grid. */
export function shape(g: Grid): [number, number] {
  return [g.length, g.length ? g[0].length : 0];
}

/** Non-empty, rectangular, every cell an integer colour 0–9. */
export function isValidGrid(g: unknown): g is Grid {
  if (!Array.isArray(g) || g.length === 0) return false;
  const w = Array.isArray(g[0]) ? g[0].length : -1;
  if (w <= 0) return false;
  for (const row of g) {
    if (!Array.isArray(row) || row.length !== w) return false;
    for (const c of row) if (!Number.isInteger(c) || c < 0 || c > 9) return false;
  }
  return true;
}

export function cloneGrid(g: Grid): Grid {
  return g.map((r) => r.slice());
}

export function gridsEqual(a: Grid, b: Grid): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const ra = a[i];
    const rb = b[i];
    if (ra.length !== rb.length) return false;
    for (let j = 0; j < ra.length; j++) if (ra[j] !== rb[j]) return false;
  }
  return true;
}

/** Content key: equal keys ⇔ equal grids (shape included). */
export function gridKey(g: Grid): string {
  return g.map((r) => r.join(',')).join('|') + `#${g.length}`;
}

/** Content key of a pair. */
export function pairKey(p: { input: Grid; output?: Grid }): string {
  return `${gridKey(p.input)}>${p.output ? gridKey(p.output) : '?'}`;
}

/** Content key of a task (order of demos and tests matters); test outputs count when present. */
export function taskKey(t: { train: Pair[]; test: Array<{ input: Grid; output?: Grid }> }): string {
  return `${t.train.map(pairKey).join(';')}=>${t.test.map(pairKey).join(';')}`;
}

/** Largest row count and column count over every grid of the task (test outputs included when present). */
export function taskMaxShape(t: { train: Pair[]; test: Array<{ input: Grid; output?: Grid }> }): [number, number] {
  let h = 0;
  let w = 0;
  const see = (g: Grid) => {
    const [r, c] = shape(g);
    if (r > h) h = r;
    if (c > w) w = c;
  };
  for (const p of t.train) {
    see(p.input);
    see(p.output);
  }
  for (const p of t.test) {
    see(p.input);
    if (p.output) see(p.output);
  }
  return [h, w];
}

/**
 * The same grid function applied to every grid of a task: demo inputs and outputs, test inputs, and test outputs
 * where the task carries them (TTT examples do). The task's shape and extra fields are preserved.
 */
export function mapTaskGrids<T extends ArcTask>(task: T, f: (g: Grid) => Grid): T {
  return {
    ...task,
    train: task.train.map((p) => ({ ...p, input: f(p.input), output: f(p.output) })),
    test: task.test.map((t) => {
      const o = t as { input: Grid; output?: Grid };
      return o.output ? { ...t, input: f(t.input), output: f(o.output) } : { ...t, input: f(t.input) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------- geometry

/** Rotate 90° clockwise: rows×cols → cols×rows. */
export function rotate90(g: Grid): Grid {
  const [h, w] = shape(g);
  const out: Grid = [];
  for (let j = 0; j < w; j++) {
    const row: number[] = new Array(h);
    for (let i = 0; i < h; i++) row[i] = g[h - 1 - i][j];
    out.push(row);
  }
  return out;
}

export function rotate180(g: Grid): Grid {
  return g.map((r) => r.slice().reverse()).reverse();
}

/** Rotate 270° clockwise (= 90° counter-clockwise). */
export function rotate270(g: Grid): Grid {
  const [h, w] = shape(g);
  const out: Grid = [];
  for (let j = w - 1; j >= 0; j--) {
    const row: number[] = new Array(h);
    for (let i = 0; i < h; i++) row[i] = g[i][j];
    out.push(row);
  }
  return out;
}

/** Mirror left ↔ right (reverse every row; numpy flip axis 1). */
export function flipH(g: Grid): Grid {
  return g.map((r) => r.slice().reverse());
}

/** Mirror top ↔ bottom (reverse the row order; numpy flip axis 0). */
export function flipV(g: Grid): Grid {
  return g.map((r) => r.slice()).reverse();
}

/** Swap rows and columns. */
export function transpose(g: Grid): Grid {
  const [h, w] = shape(g);
  const out: Grid = [];
  for (let j = 0; j < w; j++) {
    const row: number[] = new Array(h);
    for (let i = 0; i < h; i++) row[i] = g[i][j];
    out.push(row);
  }
  return out;
}

/** Each cell becomes a ky×kx block (ky repeats every row, kx every column). */
export function upscale(g: Grid, ky: number, kx: number = ky): Grid {
  checkFactor(ky);
  checkFactor(kx);
  const out: Grid = [];
  for (const r of g) {
    const row: number[] = [];
    for (const c of r) for (let k = 0; k < kx; k++) row.push(c);
    for (let k = 0; k < ky; k++) out.push(row.slice());
  }
  return out;
}

/** Inverse of `upscale`: keep the top-left cell of every ky×kx block. Lossy when blocks are not uniform. */
export function downscale(g: Grid, ky: number, kx: number = ky): Grid {
  checkFactor(ky);
  checkFactor(kx);
  const out: Grid = [];
  for (let i = 0; i < g.length; i += ky) {
    const row: number[] = [];
    for (let j = 0; j < g[i].length; j += kx) row.push(g[i][j]);
    out.push(row);
  }
  return out;
}

/** The grid repeated ry times vertically and rx times horizontally. */
export function tile(g: Grid, ry: number, rx: number): Grid {
  checkFactor(ry);
  checkFactor(rx);
  const out: Grid = [];
  for (let k = 0; k < ry; k++) {
    for (const r of g) {
      const row: number[] = [];
      for (let m = 0; m < rx; m++) row.push(...r);
      out.push(row);
    }
  }
  return out;
}

/** Stack grids top to bottom (equal widths) or side by side (equal heights). */
export function concat(a: Grid, b: Grid, axis: 0 | 1): Grid {
  if (axis === 0) {
    if (shape(a)[1] !== shape(b)[1]) throw new Error(`concat axis 0: widths differ (${shape(a)[1]} vs ${shape(b)[1]})`);
    return [...cloneGrid(a), ...cloneGrid(b)];
  }
  if (a.length !== b.length) throw new Error(`concat axis 1: heights differ (${a.length} vs ${b.length})`);
  return a.map((r, i) => [...r, ...b[i]]);
}

/**
 * Shift the content down by dy rows and right by dx columns (negative = up/left), keeping the shape.
 * 'wrap' rolls cells off one edge back in at the other (numpy roll); 'pad' fills vacated cells with `fill`
 * and drops what moves off the grid.
 */
export function translate(g: Grid, dy: number, dx: number, mode: 'wrap' | 'pad' = 'wrap', fill = 0): Grid {
  const [h, w] = shape(g);
  const out: Grid = [];
  for (let i = 0; i < h; i++) {
    const row: number[] = new Array(w);
    for (let j = 0; j < w; j++) {
      let si = i - dy;
      let sj = j - dx;
      if (mode === 'wrap') {
        si = ((si % h) + h) % h;
        sj = ((sj % w) + w) % w;
        row[j] = g[si][sj];
      } else {
        row[j] = si >= 0 && si < h && sj >= 0 && sj < w ? g[si][sj] : fill;
      }
    }
    out.push(row);
  }
  return out;
}

function checkFactor(k: number) {
  if (!Number.isInteger(k) || k < 1) throw new Error(`factor must be a positive integer, got ${k}`);
}

// ---------------------------------------------------------------------------------------------- colours

/** A colour permutation: perm[c] is the new colour of colour c (length 10, a bijection of 0–9). */
export type ColourPerm = number[];

export function applyColourPerm(g: Grid, perm: ColourPerm): Grid {
  return g.map((r) =>
    r.map((c) => {
      const m = perm[c];
      if (m === undefined) throw new Error(`colour ${c} outside the permutation`);
      return m;
    }),
  );
}

export function invertColourPerm(perm: ColourPerm): ColourPerm {
  const inv: number[] = new Array(perm.length);
  perm.forEach((to, from) => (inv[to] = from));
  return inv;
}

/** Uniform random permutation of colours 1–9; 0 (background) stays 0. */
export function randomColourPerm(rng: Rng): ColourPerm {
  return [0, ...rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9])];
}
