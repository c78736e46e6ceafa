// What the UI shows of a run, folded from its events as they arrive (pure; `fold` returns a new object only for
// the parts an event changes, so React re-renders just the panels that depend on them). Track-independent: a
// rollout or inner-loop payload keeps its track's own fields, and the panels narrow by `rollout.track`.
import type { LabEvent } from '../seal/tracks.ts';
import type { MethodResult } from '../seal/core/events.ts';
import type { ForgettingCell } from '../seal/knowledge/types.ts';

export type LabRollout = Extract<LabEvent, { type: 'rollout' }>['rollout'];
export type LabTttData = Extract<LabEvent, { type: 'ttt-data' }>['data'];

export interface PhaseInfo {
  phase: string;
  method: string;
  round: number;
  itemId?: string;
  explain: string;
  /** 1 for the run's first phase event, 2 for the next… */
  index: number;
}

export interface Derived {
  methods: MethodResult[];
  /** Rollout ids in arrival order (a rollout re-sent with `kept` keeps its place). */
  rolloutOrder: string[];
  rollouts: Record<string, LabRollout>;
  /** Rewards in arrival order, one per first arrival of a rollout (the reward chart's points). */
  rewards: Array<{ index: number; id: string; reward: number; method: string; round: number }>;
  tttLoss: Record<string, Array<{ step: number; loss: number }>>;
  tttData: Record<string, { itemId: string; data: LabTttData }>;
  sftLoss: Array<{ round: number; step: number; loss: number }>;
  phase: PhaseInfo | null;
  phaseCount: number;
  logs: string[];
  /** Tokens and seconds so far, sampling self-edits and training LoRA adapters (the run's live speed). */
  speed: Record<'sampling' | 'training', { tokens: number; seconds: number }>;
  /** What went wrong that the run survived (shown in the step panel). */
  warnings: string[];
  /** The knowledge track's forgetting heat map, cell by cell. */
  forgetting: ForgettingCell[];
}

export const EMPTY: Derived = {
  methods: [], rolloutOrder: [], rollouts: {}, rewards: [], tttLoss: {}, tttData: {}, sftLoss: [], phase: null, phaseCount: 0, logs: [], warnings: [], forgetting: [],
  speed: { sampling: { tokens: 0, seconds: 0 }, training: { tokens: 0, seconds: 0 } },
};

export function fold(d: Derived, e: LabEvent): Derived {
  switch (e.type) {
    case 'phase': {
      const index = d.phaseCount + 1;
      return { ...d, phaseCount: index, phase: { phase: e.phase, method: e.method, round: e.round, itemId: e.itemId, explain: e.explain, index } };
    }
    case 'rollout': {
      const r = e.rollout;
      const known = r.id in d.rollouts;
      return {
        ...d,
        rollouts: { ...d.rollouts, [r.id]: r },
        rolloutOrder: known ? d.rolloutOrder : [...d.rolloutOrder, r.id],
        rewards: known ? d.rewards : [...d.rewards, { index: d.rewards.length + 1, id: r.id, reward: r.reward ?? 0, method: r.method, round: r.round }],
      };
    }
    case 'ttt-loss':
      return { ...d, tttLoss: { ...d.tttLoss, [e.rolloutId]: [...(d.tttLoss[e.rolloutId] ?? []), { step: e.step, loss: e.loss }] } };
    case 'ttt-data':
      return { ...d, tttData: { ...d.tttData, [e.rolloutId]: { itemId: e.itemId, data: e.data } } };
    case 'sft-loss':
      return { ...d, sftLoss: [...d.sftLoss, { round: e.round, step: e.step, loss: e.loss }] };
    case 'method-result': // a resumed run may send a row again: it replaces the old one
      return { ...d, methods: [...d.methods.filter((m) => m.method !== e.result.method || m.round !== e.result.round), e.result] };
    case 'log':
      return { ...d, logs: [...d.logs, e.message] };
    case 'speed': {
      const s = d.speed[e.kind];
      return { ...d, speed: { ...d.speed, [e.kind]: { tokens: s.tokens + e.tokens, seconds: s.seconds + e.seconds } } };
    }
    case 'warning':
      return { ...d, warnings: [...d.warnings, e.message] };
    case 'forgetting': // a resumed run redoes the forgetting phase: a cell replaces its old value
      return { ...d, forgetting: [...d.forgetting.filter((c) => c.step !== e.cell.step || c.column !== e.cell.column), e.cell] };
    case 'run-start':
      return d; // the store keeps the run's config and items from its own request
  }
}
