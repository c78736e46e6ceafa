// Run / Pause / Step / Stop for a SEAL run. The loop calls `checkpoint()` after every phase; in step mode that
// call waits until the user asks for the next step. Control messages bypass the worker's request queue.

export class RunStopped extends Error {
  override name = 'RunStopped';
}

export type ControlAction = 'pause' | 'resume' | 'step' | 'stop' | 'step-mode' | 'run-mode';

export class RunControl {
  private paused = false;
  private stepMode = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  apply(action: ControlAction): void {
    if (action === 'stop') this.stopped = true;
    if (action === 'pause') this.paused = true;
    if (action === 'resume' || action === 'run-mode') this.paused = false;
    if (action === 'step-mode') this.stepMode = true;
    if (action === 'run-mode') this.stepMode = false;
    if (action === 'step') this.paused = false; // run to the next checkpoint, which pauses again in step mode
    if (action !== 'pause') this.wake?.();
  }

  get state() {
    return { paused: this.paused, stepMode: this.stepMode, stopped: this.stopped };
  }

  /** Called inside long phases (between training steps, samples, views): honours Stop and Pause at once. */
  async poll(): Promise<void> {
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
    if (this.stopped) throw new RunStopped('run stopped by the user');
  }

  /** Called after each phase: throws RunStopped after stop; waits while paused (always, in step mode). */
  async checkpoint(): Promise<void> {
    if (this.stepMode) this.paused = true;
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
    if (this.stopped) throw new RunStopped('run stopped by the user');
  }
}
