// A student's own self-edit for an item of the run on screen (seal/core/yours.ts): applied by the worker exactly as
// the inner loop applies the model's, its events added to the run (saved with it, in the run file), its rollout
// picked so the item viewers show it. Live: only while the run is held between phases (the run applies it on its
// current generator); a finished, saved or recorded run: on the model the run started from, with its settings.
import type { StateCreator } from 'zustand';
import { YOURS } from '../../seal/core/yours.ts';
import type { LabEvent } from '../../seal/tracks.ts';
import type { LabState } from '../state.ts';
import { runView } from './run.ts';

export interface YoursSlice {
  yours: {
    /** The item whose self-edit is being applied (null: none). */
    busy: string | null;
    /** Why the last one failed (shown beside its editor). */
    error: string | null;
  };
  /** Applies `text` as a self-edit of item `itemId`; `keep` asks for it in the round's kept set. */
  applyYours(itemId: string, text: string, keep: boolean): Promise<void>;
}

const path = (u: string) => new URL(u, location.href).pathname.replace(/\/+$/, '');

/** Why a self-edit cannot be applied now (null: it can). */
export function yoursBlocked(s: LabState): string | null {
  if (!s.client || s.model.status !== 'ready') return 'The model is not loaded yet.';
  if (s.yours.busy) return 'Applying your self-edit…';
  const { run } = s;
  if (!run.setup || (run.status === 'idle' && !run.viewing)) return 'Start a run (or open a saved one): your self-edit is applied with its settings.';
  if (run.setup.track !== s.track) return 'The run on screen is of the other track.';
  if (run.status === 'running') return runView(run, s.derived.phaseCount) === 'paused' ? null : 'Pause the run, or use Step: your self-edit is applied between phases.';
  if (s.replay.status === 'playing' || s.replay.status === 'paused') return 'The replay is showing part of the run: show it whole first.';
  if (run.modelUrl && s.model.url && path(run.modelUrl) !== path(s.model.url)) return `The run started from another model (${run.modelUrl}): load it to apply your self-edit.`;
  return null;
}

export const yoursSlice: StateCreator<LabState, [], [], YoursSlice> = (set, get) => ({
  yours: { busy: null, error: null },

  async applyYours(itemId, text, keep) {
    const s = get();
    const blocked = yoursBlocked(s);
    if (blocked) return set({ yours: { busy: null, error: blocked } });
    const n = Object.values(s.derived.rollouts).filter((r) => r.method === YOURS).length;
    const events: LabEvent[] = [];
    set({ yours: { busy: itemId, error: null } });
    try {
      const { rollout } = await s.client!.call('apply-self-edit', {
        setup: s.run.setup!,
        edit: { id: `y${n + 1}`, itemId, text, keep },
      }, (e) => {
        if (e.type === 'seal' && e.event.type !== 'speed') events.push(e.event);
      });
      // its final record is the result (the streamed one may lack `kept`)
      await get().addEvents([...events, { type: 'rollout', rollout } as LabEvent]);
      get().select(rollout.id, rollout.itemId);
      set({ yours: { busy: null, error: null } });
    } catch (e) {
      set({ yours: { busy: null, error: `${(e as Error).name}: ${(e as Error).message}` } });
    }
  },
});
