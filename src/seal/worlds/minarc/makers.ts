// Input makers for mini-ARC families: sizes skewed small (short tasks as text), colours from a palette hint.
import type { Grid } from '../../arc/task.ts';
import * as G from './grid.ts';
import type { Rng } from '../../core/rng.ts';

export interface MakeOpts {
  /** Largest side of an input grid. */
  maxDim: number;
  /** Colours to prefer for the free (non-parameter) colours of an input. */
  palette?: readonly number[];
}

export const COLOURS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
/** Relative weight of each side length (index = side): small grids keep tasks short. */
const SIDE_WEIGHTS = [0, 0, 0, 5, 3, 1.5, 0.7, 0.2, 0.1];

const maxDimOf = (o?: Partial<MakeOpts>) => o?.maxDim ?? 6;
function side(rng: Rng, lo: number, hi: number): number {
  return lo + rng.weighted(SIDE_WEIGHTS.slice(lo, Math.max(lo, hi) + 1));
}
export const dims = (rng: Rng, o: Partial<MakeOpts> | undefined, lo = 3): [number, number] =>
  [side(rng, lo, maxDimOf(o)), side(rng, lo, maxDimOf(o))];

/** k distinct colours, palette colours first, never one of `exclude`. */
export function pickColours(rng: Rng, k: number, o: Partial<MakeOpts> | undefined, exclude: readonly number[] = []): number[] {
  const pal = rng.shuffle((o?.palette ?? []).filter((c) => !exclude.includes(c)));
  const rest = rng.shuffle(COLOURS.filter((c) => !exclude.includes(c) && !pal.includes(c)));
  return [...pal, ...rest].slice(0, k);
}

/** Random cells of the given colours at the given density; every colour appears at least once. */
export function scatter(rng: Rng, h: number, w: number, density: number, cols: readonly number[]): Grid {
  const g = G.full(h, w);
  const cells = rng.shuffle(Array.from({ length: h * w }, (_, i) => i));
  cols.forEach((c, i) => (g[Math.floor(cells[i] / w)][cells[i] % w] = c));
  for (const i of cells.slice(cols.length)) if (rng.next() < density) g[Math.floor(i / w)][i % w] = rng.pick(cols);
  return g;
}

/** A dense random grid of 2–3 colours: the input for rules that touch every cell. */
export function busyGrid(rng: Rng, o?: Partial<MakeOpts>): Grid {
  const [h, w] = dims(rng, o);
  return scatter(rng, h, w, 0.3 + 0.3 * rng.next(), pickColours(rng, rng.range(2, 3), o));
}

/** A random 4-connected shape of `size` cells grown from a random start, or null if it did not fit. */
function growShape(rng: Rng, h: number, w: number, size: number, taken: Set<string>): Array<[number, number]> | null {
  const free = (r: number, c: number) => r >= 0 && c >= 0 && r < h && c < w && !taken.has(`${r},${c}`);
  const start: [number, number] = [rng.int(h), rng.int(w)];
  if (!free(...start)) return null;
  const cells = [start];
  const has = (r: number, c: number) => cells.some(([a, b]) => a === r && b === c);
  while (cells.length < size) {
    const options = cells.flatMap(([r, c]) => G.DIRS4.map(([dr, dc]): [number, number] => [r + dr, c + dc]))
      .filter(([r, c]) => free(r, c) && !has(r, c));
    if (!options.length) return null;
    cells.push(rng.pick(options));
  }
  return cells;
}

/** Places shapes of the given sizes with at least one empty cell (8-neighbourhood) between any two. */
export function placeShapes(rng: Rng, h: number, w: number, sizes: readonly number[]): Array<Array<[number, number]>> {
  const taken = new Set<string>();
  const shapes: Array<Array<[number, number]>> = [];
  for (const size of sizes) {
    for (let t = 0; t < 40; t++) {
      const s = growShape(rng, h, w, size, taken);
      if (!s) continue;
      shapes.push(s);
      for (const [r, c] of s) for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) taken.add(`${r + dr},${c + dc}`);
      break;
    }
  }
  return shapes;
}
