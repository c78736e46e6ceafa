// Run / Step mode / Pause–Resume / Next step / Stop, their keyboard shortcuts (useRunShortcuts, mounted once by
// App), the run's status and the exports.
import { useLab, useRunView } from '../store/lab.ts';
import { trackUi } from './tracks.ts';
import type { RunView } from '../store/slices/run.ts';
import { useShortcuts } from './useShortcuts.ts';
import { Elapsed } from './Elapsed.tsx';
import { nextSpeed } from '../store/replay.ts';

export const STATUS: Record<RunView, string> = {
  idle: 'Ready', running: 'Running', pausing: 'Pausing after this phase…', paused: 'Paused', stopping: 'Stopping after this phase…',
  done: 'Done', stopped: 'Stopped', error: 'Failed',
};

/** What the run controls may do now (the toolbar, the presenter view and the keyboard agree on it). */
export function useRunActions() {
  const view = useRunView();
  const lab = useLab();
  const modelReady = lab.model.status === 'ready';
  const active = lab.run.status === 'running';
  // A task file the local preview rejects still runs: the worker validates it and its TaskFileError is shown.
  const can = {
    run: modelReady && !active,
    pause: active && view === 'running' && !lab.run.stepMode,
    resume: active && (view === 'paused' || view === 'pausing'),
    step: active && view === 'paused',
    stop: active && view !== 'stopping',
  };
  return { view, lab, modelReady, active, can };
}

/**
 * Run r · pause/resume space · step mode s · next step n · stop x: the page's run keys, in every view. A run that
 * is not live replays instead: space play/pause, b back to the start, e show all, - and + slower and faster; o opens
 * the track's shipped recording and plays it.
 */
export function useRunShortcuts(extra: Record<string, () => unknown> = {}): void {
  const { lab, can } = useRunActions();
  const replay = !lab.run.viewing || !lab.replay.source ? null : lab.replay;
  const speed = (dir: 1 | -1) => replay && lab.setReplaySpeed(nextSpeed(replay.speed, dir));
  useShortcuts({
    r: () => can.run && void lab.start(trackUi(lab.track).runPlan),
    ' ': () => (can.pause ? void lab.pause() : can.resume ? void lab.resume() : replay && lab.toggleReplay()),
    o: () => void lab.openRecording(lab.track, true),
    b: () => replay && lab.restartReplay(),
    e: () => replay && lab.showWholeReplay(),
    '-': () => speed(-1),
    '=': () => speed(1),
    '+': () => speed(1),
    s: () => void lab.setStepMode(!lab.stepMode),
    n: () => can.step && void lab.step(),
    x: () => can.stop && void lab.stop(),
    ...extra,
  });
}

export function Controls() {
  const { view, lab, modelReady, active, can } = useRunActions();
  const { run: canRun, pause: canPause, resume: canResume, step: canStep, stop: canStop } = can;
  const hasData = lab.events.length > 0 || lab.run.status !== 'idle';

  return (
    <div className="controls" role="toolbar" aria-label="Run controls" data-testid="controls">
      <button type="button" onClick={() => void lab.start(trackUi(lab.track).runPlan)} disabled={!canRun} data-testid="run" aria-keyshortcuts="r"
        title={!modelReady ? 'Load a model first' : active ? 'A run is in progress' : 'Start a run with these settings'}>
        Run <kbd>r</kbd>
      </button>
      <label className="toggle" title="Stop after every phase of the loop and explain it">
        <input type="checkbox" checked={lab.stepMode} onChange={(e) => void lab.setStepMode(e.target.checked)} data-testid="step-mode" aria-keyshortcuts="s" />
        Step mode <kbd>s</kbd>
      </label>
      {canResume ? (
        <button type="button" className="secondary" onClick={() => void lab.resume()} data-testid="resume" aria-keyshortcuts="Space">Resume <kbd>space</kbd></button>
      ) : (
        <button type="button" className="secondary" onClick={() => void lab.pause()} disabled={!canPause} data-testid="pause" aria-keyshortcuts="Space">Pause <kbd>space</kbd></button>
      )}
      <button type="button" className="secondary" onClick={() => void lab.step()} disabled={!canStep} data-testid="step" aria-keyshortcuts="n">Next step <kbd>n</kbd></button>
      <button type="button" className="danger" onClick={() => void lab.stop()} disabled={!canStop} data-testid="stop" aria-keyshortcuts="x">Stop <kbd>x</kbd></button>
      <p className={`run-status run-${view}`} role="status" aria-live="polite" data-testid="run-status" data-status={view}>
        <span className="dot" aria-hidden="true" />
        {STATUS[view]}
        {lab.run.startedAt !== null && <Elapsed from={lab.run.startedAt} seconds={lab.run.seconds} />}
      </p>
      <div className="exports">
        <button type="button" className="secondary" onClick={lab.exportJson} disabled={!hasData} data-testid="export-json"
          aria-label="Export JSON (config, tasks, methods, rollouts, events)" title="Export JSON: config, tasks, methods, rollouts, every event">⇩ JSON</button>
        <button type="button" className="secondary" onClick={lab.exportCsv} disabled={!hasData} data-testid="export-csv"
          aria-label="Export CSV (one row per rollout)" title="Export CSV: one row per rollout">⇩ CSV</button>
      </div>
    </div>
  );
}
