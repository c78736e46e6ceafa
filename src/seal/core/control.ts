// Run / Pause / Step / Stop for a SEAL run. The loop calls `checkpoint()` after every phase; in step mode that
// call waits until the user asks for the next step. Control messages bypass the worker's request queue.

import type { Rollout, SealEvent } from './events.ts';
import type { YourEdit } from './yours.ts';

export class RunStopped extends Error {
  override name = 'RunStopped';
}

export type ControlAction = 'pause' | 'resume' | 'step' | 'stop' | 'step-mode' | 'run-mode';

export class RunControl {
  private paused = false;
  private stepMode = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Work handed to the run while it is held (a student's self-edit): done at a checkpoint, between phases. */
  private jobs: Array<{ run: () => Promise<void>; fail: (e: Error) => void }> = [];
  private closed = false;
  /** A job is being done: the run is held at its checkpoint, but the job's own training must not wait for it. */
  private serving = false;
  /** Set by the run's loop: applies a student's self-edit (its events go to `emit`). */
  serve: ((y: YourEdit, emit: (e: SealEvent) => void) => Promise<Rollout>) | null = null;

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
    while (this.paused && !this.stopped && !this.serving) await new Promise<void>((r) => (this.wake = r));
    if (this.stopped) throw new RunStopped('run stopped by the user');
  }

  /**
   * Runs `fn` at the run's next checkpoint (at once when it is held there): between phases nothing else uses the
   * GPU, and the model is the run's current generator. Fails when the run ends before it gets there.
   */
  atCheckpoint<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new RunStopped('the run has ended'));
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ run: () => fn().then(resolve, reject), fail: reject });
      this.wake?.();
    });
  }

  /** The run is over: work still waiting for a checkpoint fails. */
  close(): void {
    this.closed = true;
    for (const j of this.jobs.splice(0)) j.fail(new RunStopped('the run ended before it reached a checkpoint'));
  }

  /** Called after each phase: does the work handed to it, throws RunStopped after stop, waits while paused (always, in step mode). */
  async checkpoint(): Promise<void> {
    if (this.stepMode) this.paused = true;
    for (;;) {
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        this.serving = true;
        await job.run().finally(() => (this.serving = false));
      }
      if (!this.paused || this.stopped) break;
      await new Promise<void>((r) => (this.wake = r));
    }
    this.wake = null;
    if (this.stopped) throw new RunStopped('run stopped by the user');
  }
}
