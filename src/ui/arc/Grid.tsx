// One ARC grid drawn with the standard ARC colours; cell size shrinks with the grid so it fits `maxPx`.
import type { Grid as GridT } from '../../seal/arc/task.ts';
import { gridToText } from '../../seal/arc/format.ts';

export const ARC_COLOURS = ['#000000', '#0074d9', '#ff4136', '#2ecc40', '#ffdc00', '#aaaaaa', '#f012be', '#ff851b', '#7fdbff', '#870c25'];

export function Grid({ grid, maxPx = 180, label, status }: { grid: GridT; maxPx?: number; label: string; status?: 'ok' | 'bad' }) {
  const h = grid.length;
  const w = grid[0]?.length ?? 0;
  // Model answers can have any shape (1×80…): the larger side always fits maxPx; big grids drop the 1 px lines.
  const n = Math.max(h, w, 1);
  const gap = n > 30 ? 0 : 1;
  const cell = Math.max(1, Math.min(30, Math.floor((maxPx - gap * (n - 1)) / n)));
  return (
    <figure className={`arc-grid-fig${status ? ` arc-${status}` : ''}`}>
      <div
        className="arc-grid"
        role="img"
        aria-label={`${label}: ${h}×${w} grid`}
        title={gridToText(grid)}
        style={{ gridTemplateColumns: `repeat(${w}, ${cell}px)`, gridAutoRows: `${cell}px`, gap: `${gap}px` }}
      >
        {grid.flatMap((row, i) => row.map((v, j) => <span key={`${i}-${j}`} style={{ background: ARC_COLOURS[v] ?? '#fff' }} />))}
      </div>
      <figcaption>{label} <span className="muted">{h}×{w}</span></figcaption>
    </figure>
  );
}
