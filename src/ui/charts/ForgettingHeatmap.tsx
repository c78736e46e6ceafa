// The forgetting experiment as the paper draws it: rows are the edits applied so far (each merged), columns the
// passages, each cell the accuracy on that passage's questions after that many edits. An HTML table (recharts has
// no heat map): colour by accuracy, the number in the cell, keyboard-readable.
import { useLab } from '../../store/lab.ts';

const shade = (x: number) => `rgba(63, 185, 80, ${0.12 + 0.88 * x})`;
const pct = (x: number) => `${Math.round(100 * x)}`;

export function ForgettingHeatmap() {
  const cells = useLab((s) => s.derived.forgetting);
  const steps = cells.length ? Math.max(...cells.map((c) => c.step)) : 0;
  const columns = [...new Map(cells.map((c) => [c.column, c.passage])).entries()].sort((a, b) => a[0] - b[0]);
  const at = (step: number, column: number) => cells.find((c) => c.step === step && c.column === column);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const own = mean(cells.filter((c) => c.column === c.step - 1).map((c) => c.accuracy));
  const older = mean(cells.filter((c) => c.step === steps && c.column < steps - 1).map((c) => c.accuracy));

  return (
    <section className="panel chart-panel" aria-labelledby="forgetting-title" data-testid="forgetting-chart" data-cells={cells.length}>
      <h2 id="forgetting-title">Forgetting: sequential self-edits</h2>
      <p className="muted small">
        {cells.length
          ? `Right after its own edit: ${pct(own ?? 0)} % on average; after all ${steps} edits, the earlier passages: ${older === null ? '–' : `${pct(older)} %`}. (Paper, 8 edits: the first passage 38 % right after its edit, 19 % after all 8.)`
          : 'After the rounds, each passage\'s self-edit is applied and merged in turn; every earlier passage is re-tested after each.'}
      </p>
      {cells.length > 0 && (
        <div className="table-wrap">
          <table className="heatmap" aria-label="accuracy (%) per passage (columns) after each edit (rows)">
            <thead>
              <tr><th scope="col">edits</th>{columns.map(([j, id]) => <th key={j} scope="col" title={id}>{j + 1}</th>)}</tr>
            </thead>
            <tbody>
              {Array.from({ length: steps }, (_, i) => (
                <tr key={i}>
                  <th scope="row">{i + 1}</th>
                  {columns.map(([j]) => {
                    const c = at(i + 1, j);
                    return <td key={j} style={c ? { background: shade(c.accuracy) } : undefined} className={c && j === i ? 'diag' : undefined}>{c ? pct(c.accuracy) : ''}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
