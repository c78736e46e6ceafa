// The paper's two experiments. Track A (few-shot ARC) is what the lab runs; Track B (knowledge incorporation on
// SQuAD) is listed but not implemented, and says so.
export function TrackPicker() {
  return (
    <div className="track-picker" role="radiogroup" aria-label="Experiment track" data-testid="track-picker">
      <button type="button" role="radio" aria-checked="true" className="track active" data-testid="track-a">
        Track A · Few-shot ARC
      </button>
      <button type="button" role="radio" aria-checked="false" aria-disabled="true" className="track disabled" data-testid="track-b"
        title="not implemented yet" aria-describedby="track-b-note" onClick={(e) => e.preventDefault()}>
        Track B · Knowledge (SQuAD)
        <span id="track-b-note" className="track-note">not implemented yet</span>
      </button>
    </div>
  );
}
