// Settings of the knowledge-incorporation track (Track B). PAPER holds the paper's values (Qwen2.5-7B on SQuAD);
// a model folder's seal_lab.json "knowledge" block scales them down for small models, merged on top, and the
// user's run settings go last.
import { z } from 'zod';
import { ModelConfigError } from '../../engine/model/errors.ts';
import type { Projection } from '../../engine/model/weights.ts';
import type { SelfEditPromptKind } from './prompts.ts';
import type { LineFilter } from './line_filter.ts';

/** How an answer is graded: SQuAD exact match, token F1 ≥ 0.5, "contains a gold answer", or the loaded model as judge. */
export type Grader = 'exact' | 'f1' | 'contains' | 'judge';

export interface KnowledgeConfig {
  seed: number;
  /** ReST-EM rounds (paper: 2). */
  rounds: number;
  /** Self-edits sampled per passage, in the E-step and when evaluating (paper: 5). */
  selfEditsPerPassage: number;
  /** Self-edits per held-out passage in the own and SEAL rows (the E-step keeps selfEditsPerPassage). */
  evalSelfEditsPerPassage: number;
  /** TTT runs per self-edit whose accuracies are averaged (paper: 3). */
  tttSeeds: number;
  prompt: SelfEditPromptKind;
  grader: Grader;
  selfEdit: { temperature: number; topP: number; maxNewTokens: number; maxAttempts: number };
  ttt: { loraRank: number; loraAlpha: number; targets: Projection[]; batchSize: number; epochs: number; lr: number; warmupRatio: number; slots: number };
  answer: { maxNewTokens: number };
  /**
   * The M-step. `select`: the best self-edit of each passage is kept when its reward is above 0 ('best', SEAL's
   * code) or above the mean of the passage's self-edits ('overMean'); `lineFilter` 'facts': the generator imitates
   * only the kept self-edit's lines that state the passage's facts (mini-world passages only; line_filter.ts).
   */
  restEm: { loraRank: number; loraAlpha: number; epochs: number; batchSize: number; lr: number; select: 'best' | 'overMean'; lineFilter: LineFilter };
  /** Continued pre-training over this many held-out passages at once (0: off; paper: 200). */
  cptPassages: number;
  /** Forgetting: this many passages' self-edits applied one after another, each merged (0: off; paper: 8). */
  forgettingPassages: number;
  methods: { base: boolean; passage: boolean; own: boolean; reference: boolean };
  /** A diverged M-step leaves the generator as it was; then go on, or stop the run. */
  onFailedRound: 'continue' | 'stop';
}

const TARGETS: Projection[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

export const PAPER_KNOWLEDGE: KnowledgeConfig = {
  seed: 0,
  rounds: 2,
  selfEditsPerPassage: 5,
  evalSelfEditsPerPassage: 5,
  tttSeeds: 3,
  prompt: 'implications',
  grader: 'contains',
  selfEdit: { temperature: 1, topP: 0.95, maxNewTokens: 1024, maxAttempts: 3 },
  ttt: { loraRank: 32, loraAlpha: 64, targets: TARGETS, batchSize: 1, epochs: 10, lr: 1e-3, warmupRatio: 0, slots: 0 },
  answer: { maxNewTokens: 64 },
  restEm: { loraRank: 64, loraAlpha: 128, epochs: 2, batchSize: 1, lr: 3e-4, select: 'best', lineFilter: 'none' },
  cptPassages: 0,
  forgettingPassages: 0,
  methods: { base: true, passage: true, own: true, reference: true },
  onFailedRound: 'continue',
};

const num = z.number().positive();
const projection = z.enum(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);

/** seal_lab.json's "knowledge" block: every field optional; unknown fields are errors so a typo is not ignored. */
export const KnowledgeOverrides = z.strictObject({
  world: z.strictObject({ seed: z.number().int().min(0), celebrities: num.int(), qaCelebrities: z.number().int().min(0), evalPeople: num.int(), restPeople: num.int() }).optional(),
  rounds: z.number().int().min(0).optional(),
  selfEditsPerPassage: num.int().optional(),
  evalSelfEditsPerPassage: num.int().optional(),
  tttSeeds: num.int().optional(),
  passages: z.strictObject({ train: num.int(), eval: num.int() }).partial().optional(),
  prompt: z.enum(['implications', 'implications-long', 'implications-very-long', 'rewrite', 'self-qa']).optional(),
  grader: z.enum(['exact', 'f1', 'contains', 'judge']).optional(),
  selfEditSampling: z.strictObject({ temperature: z.number().min(0), topP: num.max(1), maxNewTokens: num.int(), maxAttempts: num.int() }).partial().optional(),
  ttt: z.strictObject({
    loraRank: num.int(), loraAlpha: num, targets: z.array(projection).min(1), batchSize: num.int(), epochs: num.int(), lr: num,
    warmupRatio: z.number().min(0).max(1), slots: z.number().int().min(0),
  }).partial().optional(),
  answer: z.strictObject({ maxNewTokens: num.int() }).partial().optional(),
  restEm: z.strictObject({
    loraRank: num.int(), loraAlpha: num, epochs: num.int(), batchSize: num.int(), lr: num, select: z.enum(['best', 'overMean']), lineFilter: z.enum(['none', 'facts']),
  }).partial().optional(),
});
export type KnowledgeOverrides = z.infer<typeof KnowledgeOverrides>;

export function parseKnowledgeOverrides(raw: unknown, source = 'seal_lab.json "knowledge"'): KnowledgeOverrides {
  const r = KnowledgeOverrides.safeParse(raw);
  if (!r.success) throw new ModelConfigError(`${source}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** What a user sets for one run (the lab's run settings, the CLI's flags). */
/** `slots`: inner loops side by side (ttt.slots: 0 = auto, 1 = one after another; core/track.ts). */
export type KnowledgeUserSettings = Partial<Pick<KnowledgeConfig,
  'seed' | 'rounds' | 'selfEditsPerPassage' | 'evalSelfEditsPerPassage' | 'tttSeeds' | 'prompt' | 'grader' | 'cptPassages' | 'forgettingPassages' | 'methods' | 'onFailedRound'>> & { slots?: number };

/** `o` without its undefined fields (so they cannot hide a default when spread). */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Passages per role when neither the user nor the model says. */
export const DEFAULT_PASSAGES = { train: 8, eval: 8 };

/** The user's run settings: the config's fields they set, and passages per role (null/undefined: the model's). */
export type KnowledgeSettings = KnowledgeUserSettings & { maxTrain?: number | null; maxEval?: number | null };

/** A run's effective settings (the paper's ∘ the model's seal_lab.json ∘ the user's) and passages per role. */
export function knowledgeSettings(model: KnowledgeOverrides | undefined, user: KnowledgeSettings): { config: KnowledgeConfig; caps: { train: number; eval: number } } {
  const { maxTrain, maxEval, ...rest } = user;
  const caps = { train: maxTrain ?? model?.passages?.train ?? DEFAULT_PASSAGES.train, eval: maxEval ?? model?.passages?.eval ?? DEFAULT_PASSAGES.eval };
  return { config: knowledgeConfig(model, rest), caps };
}

/** The paper's settings with a model's overrides and the user's choices applied, in that order. */
export function knowledgeConfig(model: KnowledgeOverrides = {}, user: KnowledgeUserSettings = {}): KnowledgeConfig {
  const { world: _world, passages: _passages, selfEditSampling, ttt, answer, restEm, ...top } = model;
  const { slots, ...settings } = user;
  // the held-out rows' k follows k unless set; a user who sets k alone sets it for them too
  const k = settings.selfEditsPerPassage ?? top.selfEditsPerPassage ?? PAPER_KNOWLEDGE.selfEditsPerPassage;
  const evalK = settings.evalSelfEditsPerPassage ?? (settings.selfEditsPerPassage === undefined ? top.evalSelfEditsPerPassage ?? k : k);
  return {
    ...PAPER_KNOWLEDGE,
    ...defined(top),
    ...defined(settings),
    evalSelfEditsPerPassage: evalK,
    selfEdit: { ...PAPER_KNOWLEDGE.selfEdit, ...selfEditSampling },
    ttt: { ...PAPER_KNOWLEDGE.ttt, ...ttt, ...(slots !== undefined && { slots }) },
    answer: { ...PAPER_KNOWLEDGE.answer, ...answer },
    restEm: { ...PAPER_KNOWLEDGE.restEm, ...restEm },
    methods: { ...PAPER_KNOWLEDGE.methods, ...user.methods },
  };
}
