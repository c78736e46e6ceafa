// Saved runs, newest first: when, track, model, settings, status and the headline numbers. Open one to see all its
// charts and tables (not live), pick two or more to compare, delete, export the one on screen (the toolbar's ⇩ JSON)
// and import a run file from another browser (it opens as a recording); below, the recordings shipped for talks.
import { useEffect, useRef } from 'react';
import { methodLabel } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import type { SavedRun } from '../../store/saved_runs.ts';
import { formatBytes } from '../format.ts';
import { settingsLine } from '../../seal/tracks.ts';
import { trackUi } from '../tracks.ts';
import { Recordings } from './Recordings.tsx';

function settings(r: SavedRun): string {
  const s = r.setup;
  if (!s) return '';
  return `seed ${s.config.seed}, ${settingsLine(s)}`;
}

const headline = (r: SavedRun) => r.methods.map((m) => `${methodLabel(m.method, m.round)} ${Math.round(100 * m.successRate)}%`).join(' · ');

export function HistoryPanel() {
  const h = useLab((s) => s.history);
  const liveId = useLab((s) => (s.run.viewing ? null : s.run.id));
  const viewing = useLab((s) => (s.run.viewing ? s.run.id : null));
  const running = useLab((s) => s.run.status === 'running');
  const { refreshHistory, openRun, deleteSavedRun, importRunFile, toggleCompare, resumeRun } = useLab.getState();
  const ready = useLab((s) => s.model.status === 'ready');
  const file = useRef<HTMLInputElement>(null);
  useEffect(() => void refreshHistory(), [refreshHistory]);

  return (
    <section className="panel history" aria-labelledby="history-title" data-testid="history-panel">
      <div className="panel-head">
        <h2 id="history-title">Saved runs <span className="muted normal">({h.runs.length})</span></h2>
        <div className="presets">
          <button type="button" className="secondary small-btn" onClick={() => file.current?.click()} data-testid="import-run">Import run file…</button>
          <input ref={file} type="file" accept=".json,application/json" hidden data-testid="import-run-file"
            onChange={(e) => { const f = e.target.files?.[0]; if (f) void importRunFile(f); e.target.value = ''; }} />
        </div>
      </div>
      <p className="muted small">
        Every run is saved in this browser as it goes (IndexedDB){h.usage !== null ? `: ${formatBytes(h.usage)} used` : ''}{h.quota !== null ? ` of ${formatBytes(h.quota)}` : ''}.
        {h.compare.length === 1 ? ' Pick one more run to compare.' : ''}
      </p>
      {h.error && <p className="bad small" role="alert">{h.error}</p>}
      {h.runs.length === 0 ? <p className="empty">No saved runs yet.</p> : (
        <div className="table-wrap">
          <table className="rollouts history-table">
            <thead>
              <tr>
                <th scope="col">When</th><th scope="col">Track</th><th scope="col">Model</th><th scope="col">Settings</th><th scope="col">Status</th>
                <th scope="col">Results</th><th scope="col">Compare</th><th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {h.runs.map((r) => (
                <tr key={r.id} className={r.id === viewing ? 'selected' : undefined} data-testid="history-row" data-status={r.status}>
                  <td>{new Date(r.startedAt).toLocaleString()}</td>
                  <td>{trackUi(r.track).historyName}</td>
                  <td className="task-id">{r.file ?? r.modelUrl?.replace(/^https?:\/\/[^/]+\//, '').replace(/\/$/, '') ?? ''}</td>
                  <td className="small">{settings(r)}</td>
                  <td className={r.status === 'done' ? 'ok' : r.status === 'error' ? 'bad' : undefined}>{r.id === liveId && running ? 'running' : r.status}</td>
                  <td className="small">{headline(r) || '–'}</td>
                  <td><input type="checkbox" aria-label={`compare the run of ${new Date(r.startedAt).toLocaleString()}`} checked={h.compare.includes(r.id)}
                    onChange={() => void toggleCompare(r.id)} data-testid="history-compare" /></td>
                  <td className="num">
                    {r.request && ['interrupted', 'stopped', 'error'].includes(r.status) && (
                      <><button type="button" className="small-btn" disabled={running || !ready} onClick={() => void resumeRun(r.id)} data-testid="history-resume"
                        title="go on from where it stopped: what it finished is kept, the rest computed">Resume</button>{' '}</>
                    )}
                    <button type="button" className="secondary small-btn" disabled={running} onClick={() => void openRun(r.id)} data-testid="history-open">Open</button>{' '}
                    <button type="button" className="secondary small-btn" disabled={r.id === liveId && running} onClick={() => void deleteSavedRun(r.id)} data-testid="history-delete">Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Recordings />
    </section>
  );
}
