// One 16:9 screen for a talk (1920×1080 or 1280×720): where the loop is and what it just did, in large type; the
// self-edit being tried and its reward; the reward chart; the results beside the paper's. Keyboard only: r run,
// s step mode, n next step, space pause/resume, x stop, p back to the lab; o plays the track's shipped recording
// (then space play/pause, b restart, e show all, - + speed), labelled as a recording with its date, model and settings.
import { lazy, Suspense } from 'react';
import { YOURS } from '../../seal/core/yours.ts';
import { methodLabel, PHASES, phaseLabel, selfEditSummary } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { STATUS, useRunActions } from '../Controls.tsx';
import { trackUi } from '../tracks.ts';
import { PresenterResults } from './PresenterResults.tsx';
import { useRecordingLabel } from '../history/recording.ts';
import { ReplayControls } from '../history/ReplayControls.tsx';

const RewardChart = lazy(() => import('../charts/RewardChart.tsx').then((m) => ({ default: m.RewardChart })));

export function PresenterView() {
  const { view } = useRunActions();
  const track = useLab((s) => s.run.setup?.track ?? s.track);
  const phase = useLab((s) => s.derived.phase);
  const rollouts = useLab((s) => s.derived.rollouts);
  const order = useLab((s) => s.derived.rolloutOrder);
  const stepMode = useLab((s) => s.stepMode);
  const model = useLab((s) => s.model);
  const recording = useRecordingLabel();
  const replaying = useLab((s) => s.run.viewing !== null && s.replay.source !== null);
  const recordingsError = useLab((s) => s.history.recordingsError);
  const latest = order.length ? rollouts[order[order.length - 1]] : null;
  const edit = latest ? selfEditSummary(latest) : null;

  return (
    <div className="presenter" data-testid="presenter-view">
      <header className="presenter-top">
        <h1>SEAL · {trackUi(track).title}</h1>
        {replaying ? <ReplayControls compact /> : (
          <p className={`run-status run-${view}`} role="status" aria-live="polite"><span className="dot" aria-hidden="true" />{STATUS[view]}{stepMode ? ' · step mode' : ''}</p>
        )}
        {recording ? <p className="presenter-recording" role="status" data-testid="presenter-recording">{recording}</p> : (
          <p className="keys" data-testid="presenter-model">
            {model.status === 'ready' ? `model ${model.url.replace(/^https?:\/\/[^/]+\//, '').replace(/\/$/, '')}` : `model ${model.status}…`}
          </p>
        )}
        <p className="keys" aria-label="keyboard">
          {replaying
            ? <><kbd>space</kbd> play/pause · <kbd>-</kbd> <kbd>+</kbd> speed · <kbd>b</kbd> restart · <kbd>e</kbd> show all · <kbd>r</kbd> live run · <kbd>p</kbd> lab view</>
            : <><kbd>r</kbd> run · <kbd>s</kbd> step mode · <kbd>n</kbd> next · <kbd>space</kbd> pause · <kbd>x</kbd> stop · <kbd>o</kbd> recording · <kbd>p</kbd> lab view</>}
        </p>
      </header>
      {recordingsError && <p className="bad presenter-recording" role="alert" data-testid="recordings-error">{recordingsError}</p>}
      <ol className="phase-track presenter-phases" aria-label="SEAL phases">
        {PHASES[track].map((p) => <li key={p.phase} className={phase?.phase === p.phase ? 'current' : undefined}>{p.short}</li>)}
      </ol>
      <main className="presenter-main">
        <section className="presenter-story" aria-live="polite">
          {phase ? (
            <>
              <h2 className="presenter-phase" data-testid="presenter-phase">{phaseLabel(track, phase.phase)}</h2>
              <p className="presenter-meta">{methodLabel(phase.method, phase.round)}{phase.itemId ? ` · ${phase.itemId}` : ''}</p>
              <p className="presenter-explain" data-testid="presenter-explain">{phase.explain}</p>
            </>
          ) : (
            <p className="presenter-explain">Press <kbd>r</kbd> to start (or <kbd>o</kbd> to play a recorded run). {trackUi(track).pitch}</p>
          )}
          {latest && edit && (
            <div className="presenter-edit">
              <h3>{latest.method === YOURS ? 'Your self-edit' : 'Latest self-edit'} · {latest.itemId} · reward {latest.reward === null ? '–' : Number(latest.reward.toFixed(2))}</h3>
              <pre>{edit.summary || edit.text || '(none: the model as it is)'}</pre>
            </div>
          )}
        </section>
        <section className="presenter-side">
          <Suspense fallback={<p className="muted">Loading the chart…</p>}><RewardChart fill /></Suspense>
          <PresenterResults />
        </section>
      </main>
    </div>
  );
}
