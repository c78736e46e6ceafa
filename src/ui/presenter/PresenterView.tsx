// One 16:9 screen for a talk (1920×1080 or 1280×720): where the loop is and what it just did, in large type; the
// self-edit being tried and its reward; the reward chart; the results beside the paper's. Keyboard only: r run,
// s step mode, n next step, space pause/resume, x stop, p back to the lab.
import { lazy, Suspense } from 'react';
import { methodLabel, PHASES, phaseLabel, selfEditSummary } from '../../store/labels.ts';
import { useLab } from '../../store/lab.ts';
import { STATUS, useRunActions } from '../Controls.tsx';
import { trackUi } from '../tracks.ts';
import { PresenterResults } from './PresenterResults.tsx';

const RewardChart = lazy(() => import('../charts/RewardChart.tsx').then((m) => ({ default: m.RewardChart })));

export function PresenterView() {
  const { view } = useRunActions();
  const track = useLab((s) => s.run.setup?.track ?? s.track);
  const phase = useLab((s) => s.derived.phase);
  const rollouts = useLab((s) => s.derived.rollouts);
  const order = useLab((s) => s.derived.rolloutOrder);
  const stepMode = useLab((s) => s.stepMode);
  const model = useLab((s) => s.model);
  const latest = order.length ? rollouts[order[order.length - 1]] : null;
  const edit = latest ? selfEditSummary(latest) : null;

  return (
    <div className="presenter" data-testid="presenter-view">
      <header className="presenter-top">
        <h1>SEAL · {trackUi(track).title}</h1>
        <p className={`run-status run-${view}`} role="status" aria-live="polite"><span className="dot" aria-hidden="true" />{STATUS[view]}{stepMode ? ' · step mode' : ''}</p>
        <p className="keys" data-testid="presenter-model">
          {model.status === 'ready' ? `model ${model.url.replace(/^https?:\/\/[^/]+\//, '').replace(/\/$/, '')}` : `model ${model.status}…`}
        </p>
        <p className="keys" aria-label="keyboard">
          <kbd>r</kbd> run · <kbd>s</kbd> step mode · <kbd>n</kbd> next · <kbd>space</kbd> pause · <kbd>x</kbd> stop · <kbd>p</kbd> lab view
        </p>
      </header>
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
            <p className="presenter-explain">Press <kbd>r</kbd> to start. {trackUi(track).pitch}</p>
          )}
          {latest && edit && (
            <div className="presenter-edit">
              <h3>Latest self-edit · {latest.itemId} · reward {latest.reward === null ? '–' : Number(latest.reward.toFixed(2))}</h3>
              <pre>{edit.summary || edit.text || '(none: the model as it is)'}</pre>
            </div>
          )}
        </section>
        <section className="presenter-side">
          <Suspense fallback={<p className="muted">Loading the chart…</p>}><RewardChart /></Suspense>
          <PresenterResults />
        </section>
      </main>
    </div>
  );
}
