// What a resumed run already has, so the loop skips it: the rollouts and result rows it finished (from its saved
// events) and the generator adapter of each finished M-step (kept by the worker, e.g. in OPFS). Every seed of the
// loop is a function of a rollout's position, and rollout ids are positions (r1, r2, …), so what is skipped is
// exactly what a never-interrupted run would have computed, and what is recomputed comes out the same.
import type { MethodResult, Rollout, SealEvent } from './events.ts';
import { YOURS } from './yours.ts';

/** Where a run's M-step adapters are kept between sessions (null: not kept, e.g. in tests and the CLI). */
export interface GeneratorStore {
  save(round: number, params: Float32Array): Promise<void>;
  load(round: number): Promise<Float32Array | null>;
}

export class Journal<R extends Rollout> {
  constructor(
    private readonly done: ReadonlyMap<string, R> = new Map(),
    private readonly results: readonly MethodResult[] = [],
    readonly store: GeneratorStore | null = null,
  ) {}

  /** The finished part of a run from its events (a rollout's last version: the one with `kept`). */
  static fromEvents<R extends Rollout>(events: ReadonlyArray<SealEvent<R, unknown> | { type: string }>, store: GeneratorStore | null): Journal<R> {
    const done = new Map<string, R>();
    const results: MethodResult[] = [];
    for (const e of events) {
      if (e.type === 'rollout' && 'rollout' in e) done.set(e.rollout.id, e.rollout);
      if (e.type === 'method-result' && 'result' in e) results.push(e.result);
    }
    return new Journal(done, results, store);
  }

  get size(): number {
    return this.done.size;
  }

  rollout(id: string): R | undefined {
    return this.done.get(id);
  }

  /** Whether every one of these rollouts finished. */
  has(ids: readonly string[]): boolean {
    return ids.every((id) => this.done.has(id));
  }

  /** Students' self-edits that were added to round `round`'s kept set (the M-step imitates them again on resume). */
  yoursKept(round: number): R[] {
    return [...this.done.values()].filter((r) => r.method === YOURS && r.round === round && r.role === 'train' && r.kept === true);
  }

  result(method: string, round: number): MethodResult | undefined {
    return this.results.find((m) => m.method === method && m.round === round);
  }
}
