// A student's own self-edit ("yours"): written in the lab and applied exactly as the inner loop applies the model's
// (loop.ts applyYours: the same parser, plan, settings and TTT seeds), scored, and recorded as a rollout with method
// 'yours' beside the model's. It never enters ReST-EM's selection unless `keep` asks for it.

/** The method (row) of a student's self-edit. */
export const YOURS = 'yours';

export interface YourEdit {
  /** The rollout's id, given by the UI (y1, y2, …): never one of the run's own positions (r1, r2, …). */
  id: string;
  /** An item of the run, named as the lab names it (a passage id, a task id). */
  itemId: string;
  /** The self-edit as written: notes, or an ARC configuration as JSON. */
  text: string;
  /** Use the TTT seeds of the item's `sample`-th self-edit in the loop (default 0, its first). */
  sample?: number;
  /**
   * Add it to the kept set: the M-step then imitates it like a kept self-edit. Honoured for a ReST-EM item while the
   * run's E-step of that round has not been selected yet; otherwise the rollout says why not.
   */
  keep?: boolean;
}

export class UnknownItemError extends Error {
  override name = 'UnknownItemError';
}
