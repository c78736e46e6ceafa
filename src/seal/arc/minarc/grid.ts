// Grid helpers for mini-ARC: construction, comparison, the dihedral transforms, connected components.
import type { Grid } from '../types.ts';

export const full = (h: number, w: number, v = 0): Grid => Array.from({ length: h }, () => new Array<number>(w).fill(v));
export const clone = (g: Grid): Grid => g.map((r) => r.slice());
export const height = (g: Grid): number => g.length;
export const width = (g: Grid): number => (g.length ? g[0].length : 0);
export const gridEq = (a: Grid, b: Grid): boolean =>
  a.length === b.length && a.every((r, i) => r.length === b[i].length && r.every((v, j) => v === b[i][j]));
export const gridKey = (g: Grid): string => g.map((r) => r.join('')).join('/');
export const colours = (g: Grid): Set<number> => new Set(g.flat());

/** Mirror left ↔ right (reverse every row). */
export const flipH = (g: Grid): Grid => g.map((r) => r.slice().reverse());
/** Mirror top ↔ bottom (reverse the row order). */
export const flipV = (g: Grid): Grid => clone(g).reverse();
export const transpose = (g: Grid): Grid => Array.from({ length: width(g) }, (_, c) => g.map((r) => r[c]));
/** Quarter turn clockwise. */
export const rot90 = (g: Grid): Grid => flipH(transpose(g));
export const rot180 = (g: Grid): Grid => flipH(flipV(g));
export const rot270 = (g: Grid): Grid => flipV(transpose(g));

/** 4-connected components of equal non-zero colour, each a list of [row, col]. */
export function components(g: Grid): Array<{ colour: number; cells: Array<[number, number]> }> {
  const seen = g.map((r) => r.map(() => false));
  const out: Array<{ colour: number; cells: Array<[number, number]> }> = [];
  g.forEach((row, r0) =>
    row.forEach((colour, c0) => {
      if (colour === 0 || seen[r0][c0]) return;
      const cells: Array<[number, number]> = [];
      const stack: Array<[number, number]> = [[r0, c0]];
      seen[r0][c0] = true;
      while (stack.length) {
        const [r, c] = stack.pop()!;
        cells.push([r, c]);
        for (const [dr, dc] of DIRS4) {
          const rr = r + dr, cc = c + dc;
          if (g[rr]?.[cc] === colour && !seen[rr][cc]) {
            seen[rr][cc] = true;
            stack.push([rr, cc]);
          }
        }
      }
      out.push({ colour, cells });
    }),
  );
  return out;
}

export const DIRS4: ReadonlyArray<[number, number]> = [[1, 0], [-1, 0], [0, 1], [0, -1]];
