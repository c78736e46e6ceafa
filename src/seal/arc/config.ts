// Settings of the ARC track. PAPER_1B holds the paper's values (Llama-3.2-1B-Instruct); a model folder may
// carry seal_lab.json with smaller numbers for small models (the embedded mini model does), merged on top.
import { z } from 'zod';
import type { Projection } from '../../engine/model/weights.ts';
import { ModelConfigError } from '../../engine/model/errors.ts';
import { ORACLE_SELF_EDIT, SelfEditSchema, type SelfEdit } from './self_edit.ts';

export interface ArcConfig {
  seed: number;
  /** ReST-EM rounds (paper: 1). */
  rounds: number;
  /** Self-edits sampled per training task in the E-step (paper: 15) and per evaluation task (paper: 5). */
  selfEditsPerTrainTask: number;
  selfEditsPerEvalTask: number;
  /** TTT runs per self-edit whose rewards are averaged (paper: 1). */
  tttSeeds: number;
  selfEdit: { temperature: number; topP: number; maxNewTokens: number; maxAttempts: number; instruction: 'long' | 'short' };
  ttt: {
    loraRank: number; loraAlpha: number; targets: Projection[]; batchSize: number;
    maxExamples: number; stepCap: number; maxTokens: number; warmupRatio: number;
    /** Inner loops (self-edits × TTT seeds of a task) trained side by side in adapter slots (0 = auto: core/track.ts). */
    slots: number;
  };
  eval: { maxNewTokens: number; geometricViews: boolean; colourViews: number; leaveOneOutViews: boolean };
  restEm: { loraRank: number; loraAlpha: number; epochs: number; batchSize: number; lr: number };
  oracle: SelfEdit;
  methods: { icl: boolean; noRl: boolean; oracle: boolean };
  /** A diverged M-step leaves the generator as it was; then go on, or stop the run. */
  onFailedRound: 'continue' | 'stop';
}

const TTT_TARGETS: Projection[] = ['q_proj', 'v_proj', 'gate_proj', 'up_proj', 'down_proj'];

export const PAPER_1B: ArcConfig = {
  seed: 0,
  rounds: 1,
  selfEditsPerTrainTask: 15,
  selfEditsPerEvalTask: 5,
  tttSeeds: 1,
  selfEdit: { temperature: 0.8, topP: 1, maxNewTokens: 128, maxAttempts: 8, instruction: 'long' },
  ttt: { loraRank: 128, loraAlpha: 16, targets: TTT_TARGETS, batchSize: 2, maxExamples: 250, stepCap: 375, maxTokens: 8192, warmupRatio: 0.1, slots: 0 },
  eval: { maxNewTokens: 1800, geometricViews: true, colourViews: 2, leaveOneOutViews: true },
  restEm: { loraRank: 16, loraAlpha: 16, epochs: 8, batchSize: 5, lr: 5e-5 },
  oracle: ORACLE_SELF_EDIT,
  methods: { icl: true, noRl: true, oracle: true },
  onFailedRound: 'continue',
};

const num = z.number().positive();
/** seal_lab.json's "arc" block: every field optional; unknown fields are errors so a typo is not silently ignored. */
export const ArcOverrides = z.strictObject({
  selfEditInstruction: z.enum(['long', 'short']).optional(),
  ttt: z.strictObject({
    loraRank: num.int(), loraAlpha: num, targets: z.array(z.enum(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'])),
    batchSize: num.int(), maxExamples: num.int(), stepCap: num.int(), maxTokens: num.int(), maxNewTokens: num.int(), warmupRatio: z.number().min(0).max(1),
    slots: z.number().int().min(0),
  }).partial().optional(),
  restEm: z.strictObject({ loraRank: num.int(), loraAlpha: num, epochs: num.int(), batchSize: num.int(), lr: num }).partial().optional(),
  oracle: SelfEditSchema.optional(),
  /**
   * How the model's built-in evaluation tasks were chosen, when they were filtered (the paper's ARC subset was
   * hand-picked: every task solvable by some configuration). Shown beside the success chart.
   */
  evalFilter: z.string().min(1).optional(),
  selfEditSampling: z.strictObject({ temperature: z.number().min(0), topP: num.max(1), maxNewTokens: num.int(), maxAttempts: num.int() }).partial().optional(),
  eval: z.strictObject({ geometricViews: z.boolean(), colourViews: z.number().int().min(0), leaveOneOutViews: z.boolean() }).partial().optional(),
});

export type ArcOverrides = z.infer<typeof ArcOverrides>;

/** What a user sets for one run (the lab's run settings, the CLI's flags). */
/** `slots`: inner loops side by side (ttt.slots: 0 = auto, 1 = one after another; core/track.ts). */
export type ArcUserSettings = Partial<Pick<ArcConfig, 'seed' | 'rounds' | 'selfEditsPerTrainTask' | 'selfEditsPerEvalTask' | 'tttSeeds' | 'methods' | 'onFailedRound'>> & { slots?: number };

export function parseOverrides(raw: unknown, source = 'seal_lab.json "arc"'): ArcOverrides {
  const r = ArcOverrides.safeParse(raw);
  if (!r.success) throw new ModelConfigError(`${source}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The paper's settings with a model's overrides and the user's choices applied, in that order. */
export function arcConfig(model: ArcOverrides = {}, user: ArcUserSettings = {}): ArcConfig {
  const { maxNewTokens: evalTokens, ...ttt } = model.ttt ?? {};
  const { slots, ...settings } = user;
  return {
    ...PAPER_1B,
    ...settings,
    selfEdit: { ...PAPER_1B.selfEdit, ...model.selfEditSampling, instruction: model.selfEditInstruction ?? PAPER_1B.selfEdit.instruction },
    ttt: { ...PAPER_1B.ttt, ...ttt, ...(slots !== undefined && { slots }) },
    eval: { ...PAPER_1B.eval, ...model.eval, maxNewTokens: evalTokens ?? PAPER_1B.eval.maxNewTokens },
    restEm: { ...PAPER_1B.restEm, ...model.restEm },
    oracle: model.oracle ?? PAPER_1B.oracle,
    methods: { ...PAPER_1B.methods, ...user.methods },
  };
}
