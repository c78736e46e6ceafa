// The knowledge track's vocabulary: the rows of the paper's Table 2 (and of continued pre-training), what a run
// records and emits. Types and tables only, so the store and the UI read them without the runner.
import type { SealContext } from '../core/context.ts';
import type { Rollout, SealEvent } from '../core/events.ts';
import type { RunResult } from '../core/loop.ts';
import type { GradedAnswer } from './answer.ts';
import type { KnowledgeConfig } from './config.ts';

/** The rows of Table 2 (single passage) and of the continued pre-training table, and a student's own notes ('yours': rollouts only). */
export const KNOWLEDGE_METHODS = ['base', 'passage', 'own', 'reference', 'seal', 'cpt-base', 'cpt-passage', 'cpt-own', 'cpt-reference', 'cpt-seal', 'yours'] as const;
export type KnowledgeMethod = (typeof KNOWLEDGE_METHODS)[number];

/** Table 2 of the paper (accuracy %, Qwen2.5-7B on SQuAD). SEAL: round 1 and round 2; cpt-*: continued pre-training, n = 200. */
export const KNOWLEDGE_TABLE2: Record<Exclude<KnowledgeMethod, 'yours'>, number> = {
  base: 32.7, passage: 33.5, own: 39.7, reference: 46.3, seal: 47.0,
  'cpt-base': 32.7, 'cpt-passage': 32.2, 'cpt-own': 41.0, 'cpt-reference': 39.4, 'cpt-seal': 43.8,
};
export const KNOWLEDGE_SEAL_ROUNDS: Record<number, number> = { 1: 43.7, 2: 47.0 };

export interface KnowledgeRollout extends Rollout {
  track: 'knowledge';
  method: KnowledgeMethod;
  /** The self-edit as written ('' for the passage-only and base rows). */
  notes: string;
  answers: GradedAnswer[];
}

/** What the inner loop trained on: every line of the self-edit, kept (a training sequence) or dropped. */
export interface KnowledgeTttData {
  sequences: string[];
  dropped: string[];
}

/** One cell of the forgetting heat map: after `step` edits (1-based), the accuracy on passage `passage`. */
export interface ForgettingCell {
  step: number;
  applied: string;
  passage: string;
  column: number;
  accuracy: number;
}

export type KnowledgeEvent = SealEvent<KnowledgeRollout, KnowledgeTttData> | { type: 'forgetting'; cell: ForgettingCell };

export interface KnowledgeContext extends SealContext<KnowledgeEvent> {
  cfg: KnowledgeConfig;
}

export function isKnowledgeMethod(m: string): m is KnowledgeMethod {
  return (KNOWLEDGE_METHODS as readonly string[]).includes(m);
}

export interface KnowledgeRunResult extends RunResult<KnowledgeRollout> {
  forgetting: ForgettingCell[];
}
