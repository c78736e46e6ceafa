// "Recordings for talks": the full runs shipped with the lab (public/runs/, made by `npm run record`), one per
// track, to open or play back without a model or a GPU (the presenter view opens them with `o`).
import { useEffect } from 'react';
import { useLab } from '../../store/lab.ts';
import { formatBytes, formatClock } from '../format.ts';
import { trackUi } from '../tracks.ts';

export function Recordings() {
  const list = useLab((s) => s.history.recordings);
  const error = useLab((s) => s.history.recordingsError);
  const running = useLab((s) => s.run.status === 'running');
  const { loadRecordings, openRecording } = useLab.getState();
  useEffect(() => void loadRecordings(), [loadRecordings]);

  return (
    <div className="recordings" data-testid="recordings">
      <h3>Recordings for talks</h3>
      {error && <p className="bad small" role="alert" data-testid="recordings-error">{error}</p>}
      {list === null ? <p className="muted small">Reading the list…</p> : list.length === 0 ? (!error && <p className="empty">No recordings ship with this build.</p>) : (
        <div className="table-wrap">
          <table className="rollouts history-table">
            <thead>
              <tr><th scope="col">Recorded</th><th scope="col">Track</th><th scope="col">Model</th><th scope="col">Settings</th><th scope="col">Live time</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.file} data-testid="recording-row" data-track={r.track}>
                  <td>{r.date.slice(0, 10)}</td>
                  <td>{trackUi(r.track).historyName}</td>
                  <td className="task-id">{r.model}</td>
                  <td className="small" title={r.command}>seed {r.seed}, {r.settings}</td>
                  <td className="small">{formatClock(r.seconds)} · {r.events} events · {formatBytes(r.bytes)}</td>
                  <td className="num">
                    <button type="button" className="small-btn" disabled={running} onClick={() => void openRecording(r.track, true)} data-testid="recording-play">▶ Play</button>{' '}
                    <button type="button" className="secondary small-btn" disabled={running} onClick={() => void openRecording(r.track)} data-testid="recording-open">Open</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
