// Says plainly when the page shows a saved run or a recording (imported or shipped) rather than a live run, and
// offers to replay it.
import { useLab } from '../../store/lab.ts';
import { useRecordingLabel } from './recording.ts';
import { ReplayControls } from './ReplayControls.tsx';

export function ViewingBanner() {
  const viewing = useLab((s) => s.run.viewing);
  const recording = useRecordingLabel();
  const close = useLab((s) => s.closeRun);
  if (!viewing) return null;
  return (
    <div className={`viewing-banner ${viewing.kind}`} role="status" data-testid="viewing-banner" data-kind={viewing.kind}>
      {recording ? (
        <span><strong data-testid="recording-label">{recording}</strong> <span className="muted small">({viewing.label}, not a live run)</span></span>
      ) : (
        <span>A saved run (not live): <strong>{viewing.label}</strong></span>
      )}
      <ReplayControls />
      <button type="button" className="secondary small-btn" onClick={close}>Back to live</button>
    </div>
  );
}
