// Play a run that is not live again, its charts filling as they did live: play/pause, restart, speed (1×–20×),
// show all at once, and where the replay is in the run's own time (keys in the presenter view: ../Controls.tsx).
import { useLab } from '../../store/lab.ts';
import { SPEEDS, type ReplaySpeed } from '../../store/replay.ts';
import { formatClock } from '../format.ts';

export function ReplayControls({ compact = false }: { compact?: boolean }) {
  const r = useLab((s) => s.replay);
  const { toggleReplay, restartReplay, setReplaySpeed, showWholeReplay } = useLab.getState();
  if (!r.source) return null;
  const playing = r.status === 'playing';
  const where = r.status === 'whole' ? `whole run, ${formatClock(r.duration)} live` : `${formatClock(r.clock)} / ${formatClock(r.duration)}`;
  return (
    <span className="replay-controls" data-testid="replay-controls" data-status={r.status} data-shown={r.shown}>
      {!compact && (
        <>
          <button type="button" className="small-btn" onClick={toggleReplay} data-testid="replay-play" aria-keyshortcuts="Space">
            {playing ? '❚❚ Pause' : r.status === 'paused' ? '▶ Play on' : '▶ Play'}
          </button>
          <button type="button" className="secondary small-btn" onClick={restartReplay} disabled={r.status === 'whole'} data-testid="replay-restart" aria-keyshortcuts="b">⟲ Restart</button>
          <label className="replay-speed">speed{' '}
            <select value={r.speed} onChange={(e) => setReplaySpeed(Number(e.target.value) as ReplaySpeed)} data-testid="replay-speed">
              {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
            </select>
          </label>
          <button type="button" className="secondary small-btn" onClick={showWholeReplay} disabled={r.status === 'whole'} data-testid="replay-whole" aria-keyshortcuts="e">Show all</button>
        </>
      )}
      <span className="muted small" data-testid="replay-clock" title={r.timed ? 'paced by when each event arrived in the recorded run' : 'this file has no event times: its pace is estimated from the rollouts\' seconds'}>
        {playing ? `▶ ${r.speed}× · ` : r.status === 'paused' ? `paused · ${r.speed}× · ` : r.status === 'ended' ? 'ended · ' : ''}{where}{r.timed ? '' : ' (estimated pace)'}
      </span>
    </span>
  );
}
