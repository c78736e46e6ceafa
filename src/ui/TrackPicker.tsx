// The paper's two experiments: Track A (few-shot learning on ARC) and Track B (knowledge incorporation on
// SQuAD-style passages). A radio group: arrow keys move between them; switching is off while a run is going.
import type { KeyboardEvent } from 'react';
import { TRACKS } from '../seal/tracks.ts';
import { useLab } from '../store/lab.ts';
import { trackUi } from './tracks.ts';

export function TrackPicker() {
  const track = useLab((s) => s.track);
  const running = useLab((s) => s.run.status === 'running');
  const setTrack = useLab((s) => s.setTrack);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next = TRACKS[(TRACKS.indexOf(track) + (e.key === 'ArrowRight' ? 1 : TRACKS.length - 1)) % TRACKS.length];
    void setTrack(next);
  };
  return (
    <div className="track-picker" role="radiogroup" aria-label="Experiment track" data-testid="track-picker" onKeyDown={onKey}>
      {TRACKS.map((t) => (
        <button key={t} type="button" role="radio" aria-checked={track === t} tabIndex={track === t ? 0 : -1} disabled={running && track !== t}
          className={`track${track === t ? ' active' : ''}`} data-testid={trackUi(t).testId}
          title={running && track !== t ? 'a run is in progress' : undefined} onClick={() => void setTrack(t)}>
          {trackUi(t).label}
        </button>
      ))}
    </div>
  );
}
