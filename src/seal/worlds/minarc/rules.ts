// The grid rules behind the mini-ARC families (pure functions; colour 0 is the background).
import type { Grid, Pair } from '../../arc/task.ts';
import * as G from './grid.ts';

export type Dir = 'down' | 'up' | 'left' | 'right';
export const DIRS: readonly Dir[] = ['down', 'up', 'left', 'right'];
export const STEP: Record<Dir, [number, number]> = { down: [1, 0], up: [-1, 0], left: [0, -1], right: [0, 1] };

/** Non-zero cells of each column slide to the bottom, keeping their order. */
function fallDown(g: Grid): Grid {
  const out = G.full(G.height(g), G.width(g));
  for (let c = 0; c < G.width(g); c++) {
    const col = g.map((r) => r[c]).filter((v) => v !== 0);
    col.forEach((v, i) => (out[G.height(g) - col.length + i][c] = v));
  }
  return out;
}
export const gravity = (g: Grid, dir: Dir): Grid =>
  dir === 'down' ? fallDown(g)
  : dir === 'up' ? G.flipV(fallDown(G.flipV(g)))
  : dir === 'right' ? G.transpose(fallDown(G.transpose(g)))
  : G.transpose(G.flipV(fallDown(G.flipV(G.transpose(g)))));

/** Background cells not 4-connected (through background) to the grid's edge get `colour`. */
export function fillEnclosed(g: Grid, colour: number): Grid {
  const h = G.height(g), w = G.width(g);
  const out = G.cloneGrid(g);
  const open = g.map(() => new Array<boolean>(w).fill(false));
  const stack: Array<[number, number]> = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if ((r === 0 || c === 0 || r === h - 1 || c === w - 1) && g[r][c] === 0) stack.push([r, c]);
  while (stack.length) {
    const [r, c] = stack.pop()!;
    if (open[r][c]) continue;
    open[r][c] = true;
    for (const [dr, dc] of G.DIRS4) if (g[r + dr]?.[c + dc] === 0 && !open[r + dr][c + dc]) stack.push([r + dr, c + dc]);
  }
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if (g[r][c] === 0 && !open[r][c]) out[r][c] = colour;
  return out;
}

/** Background cells of every row holding a `colour` cell become `colour`. */
export const fillMarkedRows = (g: Grid, colour: number): Grid =>
  g.map((row) => (row.includes(colour) ? row.map((v) => (v === 0 ? colour : v)) : row.slice()));

/** Every cell of `colour` moves one step; at the edge it wraps around or stays. */
export function moveColour(g: Grid, colour: number, dir: Dir, wrap: boolean): Grid {
  const h = G.height(g), w = G.width(g);
  const [dr, dc] = STEP[dir];
  const out = g.map((row) => row.map((v) => (v === colour ? 0 : v)));
  g.forEach((row, r) => row.forEach((v, c) => {
    if (v !== colour) return;
    let rr = r + dr, cc = c + dc;
    if (rr < 0 || cc < 0 || rr >= h || cc >= w) [rr, cc] = wrap ? [(rr + h) % h, (cc + w) % w] : [r, c];
    out[rr][cc] = colour;
  }));
  return out;
}

/** The bounding box of the non-background cells (the grid itself when it is empty). */
export function crop(g: Grid): Grid {
  const rows = g.flatMap((r, i) => (r.some((v) => v !== 0) ? [i] : []));
  const cols = G.transpose(g).flatMap((c, i) => (c.some((v) => v !== 0) ? [i] : []));
  if (!rows.length) return G.cloneGrid(g);
  return g.slice(rows[0], rows[rows.length - 1] + 1).map((r) => r.slice(cols[0], cols[cols.length - 1] + 1));
}

/** Every largest single-colour object (4-connected) gets `colour`. */
export function recolourLargest(g: Grid, colour: number): Grid {
  const comps = G.components(g);
  const most = Math.max(0, ...comps.map((o) => o.cells.length));
  const out = G.cloneGrid(g);
  for (const o of comps) if (o.cells.length === most) for (const [r, c] of o.cells) out[r][c] = colour;
  return out;
}

/** Background cells touching (8-neighbourhood) a non-background cell get `colour`. */
export const outline = (g: Grid, colour: number): Grid =>
  g.map((row, r) => row.map((v, c) => {
    if (v !== 0) return v;
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) if ((g[r + dr]?.[c + dc] ?? 0) !== 0) return colour;
    return 0;
  }));

export const scale = (g: Grid, fy: number, fx: number): Grid =>
  g.flatMap((row) => Array.from({ length: fy }, () => row.flatMap((v) => new Array<number>(fx).fill(v))));

export type TileMode = '1x2' | '2x1' | '2x2' | 'mirror_1x2' | 'mirror_2x1' | 'mirror_2x2';
export const TILE_MODES: readonly TileMode[] = ['1x2', '2x1', '2x2', 'mirror_1x2', 'mirror_2x1', 'mirror_2x2'];
const beside = (a: Grid, b: Grid): Grid => a.map((r, i) => [...r, ...b[i]]);
const above = (a: Grid, b: Grid): Grid => [...G.cloneGrid(a), ...G.cloneGrid(b)];
export function tile(g: Grid, mode: TileMode): Grid {
  const m = mode.startsWith('mirror');
  const right = m ? G.flipH(g) : g, below = m ? G.flipV(g) : g, corner = m ? G.rotate180(g) : g;
  if (mode.endsWith('1x2')) return beside(g, right);
  if (mode.endsWith('2x1')) return above(g, below);
  return above(beside(g, right), beside(below, corner));
}

/** The colour substitution explaining all demos (same shapes, one colour → one colour), or null. */
export function inferColourMap(pairs: readonly Pair[]): Map<number, number> | null {
  const map = new Map<number, number>();
  for (const { input, output } of pairs) {
    if (G.height(input) !== G.height(output) || G.width(input) !== G.width(output)) return null;
    for (let r = 0; r < input.length; r++) for (let c = 0; c < input[r].length; c++) {
      const a = input[r][c], b = output[r][c];
      if ((map.get(a) ?? b) !== b) return null;
      map.set(a, b);
    }
  }
  return map;
}
/** The changed entries of an inferred map; null when the background is involved (outside the colour families). */
export function changed(m: Map<number, number> | null): Array<[number, number]> | null {
  const ch = m ? [...m].filter(([a, b]) => a !== b) : [];
  return ch.length && ch.every(([a, b]) => a !== 0 && b !== 0) ? ch : null;
}
export const mapColours = (g: Grid, pairs: ReadonlyArray<readonly [number, number]>): Grid => {
  const m = new Map(pairs);
  return g.map((r) => r.map((v) => m.get(v) ?? v));
};
export const coloursIn = (pairs: readonly Pair[]): number[] => (pairs.length ? [...G.colours(pairs[0].input)].filter((c) => c !== 0) : []);
