// The results so far beside the paper's, as a table in large type (the presenter view's scoreboard).
import { useMemo } from 'react';
import { useLab } from '../../store/lab.ts';
import { PAPER_TABLE_NAME } from '../../store/labels.ts';
import { interval, successRows } from '../charts/successRows.ts';
import { trackUi } from '../tracks.ts';
import { useTrackSetup } from '../tracks.ts';

export function PresenterResults() {
  const setup = useTrackSetup();
  const methods = useLab((s) => s.derived.methods);
  const rollouts = useLab((s) => s.derived.rollouts);
  const rows = useMemo(() => {
    const [scoreboard] = trackUi(setup.track).charts(setup);
    return successRows(setup.track, scoreboard.wanted, methods, Object.values(rollouts));
  }, [setup, methods, rollouts]);
  const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x)} %`);
  return (
    <table className="presenter-results" data-testid="presenter-results">
      <caption>{trackUi(setup.track).metric} · paper: {PAPER_TABLE_NAME[setup.track]}</caption>
      <thead><tr><th scope="col">Method</th><th scope="col">This run (95 % interval)</th><th scope="col">Paper</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} className={r.final ? undefined : 'running'}>
            <th scope="row">{r.name}</th>
            <td>{pct(r.run)}{r.final || r.run === null ? '' : ' …'}{r.interval && <span className="muted" data-testid="interval"> ({interval(r.interval)})</span>}</td>
            <td className="muted">{pct(r.paper)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
