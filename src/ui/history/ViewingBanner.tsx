// Says plainly when the page shows a saved run or an imported recording rather than a live run.
import { useLab } from '../../store/lab.ts';

export function ViewingBanner() {
  const viewing = useLab((s) => s.run.viewing);
  const close = useLab((s) => s.closeRun);
  if (!viewing) return null;
  return (
    <p className={`viewing-banner ${viewing.kind}`} role="status" data-testid="viewing-banner" data-kind={viewing.kind}>
      {viewing.kind === 'recording' ? 'Recording (an imported run file, not a live run): ' : 'A saved run (not live): '}
      <strong>{viewing.label}</strong>
      <button type="button" className="secondary small-btn" onClick={close}>Back to live</button>
    </p>
  );
}
