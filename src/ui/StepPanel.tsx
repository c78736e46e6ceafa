// Where the loop is: the phases of SEAL as a track with the current one lit, its name, method, round and task,
// and the loop's own two-sentence explanation. In step mode the run waits here for "Next step".
import { PHASES, methodLabel, phaseLabel } from '../store/labels.ts';
import { useLab, useRunView } from '../store/lab.ts';

const ENDED: Record<string, string> = { done: 'run done', stopped: 'run stopped', error: 'run failed' };

export function StepPanel() {
  const phase = useLab((s) => s.derived.phase);
  const warnings = useLab((s) => s.derived.warnings);
  const speed = useLab((s) => s.derived.speed);
  const rate = (x: { tokens: number; seconds: number }) => (x.seconds > 0 ? `${Math.round(x.tokens / x.seconds)} tok/s` : '–');
  const track = useLab((s) => s.run.setup?.track ?? s.track);
  const stepMode = useLab((s) => s.stepMode);
  const step = useLab((s) => s.step);
  const view = useRunView();
  const waiting = view === 'paused';

  return (
    <section className={`panel step-panel${waiting ? ' waiting' : ''}`} aria-labelledby="step-title" data-testid="step-panel" data-phase={phase?.phase ?? ''} data-phase-index={phase?.index ?? 0}>
      <div className="panel-head">
        <h2 id="step-title">{stepMode ? 'Step through the loop' : 'The loop'}</h2>
        {phase && <span className="muted">{ENDED[view] ? `${ENDED[view]} after phase ${phase.index}` : `phase ${phase.index}`}</span>}
      </div>
      <ol className="phase-track" aria-label="SEAL phases">
        {PHASES[track].map((p) => (
          <li key={p.phase} className={phase?.phase === p.phase ? 'current' : undefined} aria-current={phase?.phase === p.phase ? 'step' : undefined}>{p.short}</li>
        ))}
      </ol>
      {phase ? (
        <div aria-live="polite">
          <p className="phase-name" data-testid="phase-name">{phaseLabel(track, phase.phase)}</p>
          <p className="phase-meta">
            {methodLabel(phase.method, phase.round)}{phase.itemId ? ` · ${phase.itemId}` : ''}
          </p>
          <p className="explain" data-testid="phase-explain">{phase.explain}</p>
        </div>
      ) : (
        <p className="empty">{stepMode ? 'Start a run: it stops after every phase and explains what just happened.' : 'The current phase and what it did appear here during a run.'}</p>
      )}
      {(speed.sampling.seconds > 0 || speed.training.seconds > 0) && (
        <p className="muted small" data-testid="run-speed">This run: writing self-edits {rate(speed.sampling)} · LoRA training {rate(speed.training)}</p>
      )}
      {warnings.length > 0 && (
        <ul className="warnings" role="alert" data-testid="run-warnings">
          {warnings.map((w, i) => <li key={i}>{w}</li>)}
        </ul>
      )}
      {(stepMode || waiting) && (
        <div className="step-actions">
          <button type="button" onClick={() => void step()} disabled={!waiting} data-testid="next-step" aria-keyshortcuts="n">
            Next step <kbd>n</kbd>
          </button>
          <span className="muted">{waiting ? 'Waiting for you.' : view === 'running' ? 'Working on the next phase…' : ''}</span>
        </div>
      )}
    </section>
  );
}
