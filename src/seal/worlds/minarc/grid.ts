// Grid helpers for mini-ARC: construction and connected components, plus the ARC grid toolkit (../grid.ts) it
// shares with the rest of the track.
import type { Grid } from '../../arc/task.ts';

export { cloneGrid, flipH, flipV, gridKey, gridsEqual, rotate90, rotate180, rotate270, transpose } from '../../arc/grid.ts';

export const full = (h: number, w: number, v = 0): Grid => Array.from({ length: h }, () => new Array<number>(w).fill(v));
export const height = (g: Grid): number => g.length;
export const width = (g: Grid): number => (g.length ? g[0].length : 0);
export const colours = (g: Grid): Set<number> => new Set(g.flat());

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
