// A toy track for the generic SEAL loop, shared by the core and guard tests: a self-edit is any sampled text, the
// inner loop trains on the item's target sequence (at the item's learning rate, if it has one), and the reward is
// exp(−loss) of that target — so a trained adapter must earn more than no update.
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import type { LlamaModel } from '../../src/engine/model/llama.ts';
import type { LoraAdapter } from '../../src/engine/model/lora.ts';
import { loadTokenizer } from '../../src/engine/model/tokenizer.ts';
import type { Gpu } from '../../src/engine/gpu/context.ts';
import { allTokens } from '../../src/seal/core/batch.ts';
import { specialsOf, type SealContext } from '../../src/seal/core/context.ts';
import { RunControl } from '../../src/seal/core/control.ts';
import type { Rollout, SealEvent } from '../../src/seal/core/events.ts';
import type { Parsed } from '../../src/seal/core/sample.ts';
import type { LoopSettings, Track } from '../../src/seal/core/track.ts';

export interface ToyItem {
  id: string;
  target: number[];
  /** The inner loop's learning rate for this item (default 3e-2). */
  lr?: number;
}
export type ToyRollout = Rollout & { track: 'toy' };
export type ToyEvent = SealEvent<ToyRollout, { tokens: number }>;

export const ITEMS = {
  train: [{ id: 'train-a', target: [256, 72, 101, 108, 108, 111] }, { id: 'train-b', target: [256, 87, 111, 114, 108, 100] }],
  eval: [{ id: 'eval-a', target: [256, 83, 69, 65, 76] }],
};

export async function targetLoss(model: LlamaModel, ids: number[], adapter?: LoraAdapter): Promise<number> {
  return (await targetLosses(model, ids, 1, adapter))[0];
}

/** The target's loss under each of the adapter's S slots (S copies of it in one batch), or as it is. */
export async function targetLosses(model: LlamaModel, ids: number[], S: number, adapter?: LoraAdapter): Promise<number[]> {
  const T = ids.length;
  const tokens = Int32Array.from(Array.from({ length: S }, () => ids).flat());
  const r = await model.forward({ B: S, T, tokens, mask: new Int32Array(S * T).fill(1) }, { adapter, logits: false });
  return r.slotLosses;
}

export function toyTrack(ctx: SealContext<ToyEvent>, settings: LoopSettings, parse: (t: string) => Parsed<string>): Track<ToyItem, string, ToyRollout, { tokens: number }> {
  return {
    name: 'toy',
    settings,
    baselines: [
      { kind: 'no-update', method: 'as-is' },
      { kind: 'self-edits', method: 'own' },
      { kind: 'given', method: 'given', edit: (item) => ({ edit: 'given', canonical: `given ${item.id}` }) },
    ],
    keep: 'best-per-item',
    units: () => 1,
    selfEditPrompt: () => [256, 65, 66],
    parseSelfEdit: parse,
    sftSequence: (_item, canonical) => {
      const edit = ctx.tok.encode(canonical).slice(0, 6);
      return { ids: [256, 65, 66, ...edit], weights: [0, 0, 0, ...edit.map(() => 1)] };
    },
    // a self-edit "lr=X" asks for learning rate X (a per-slot rate); otherwise the item's
    innerLoopPlan: (item, edit) => ({
      rejected: null, sequences: [allTokens(item.target)], epochs: 3, lr: edit.startsWith('lr=') ? Number(edit.slice(3)) : item.lr ?? 3e-2, data: { tokens: item.target.length },
    }),
    score: async (item, seeds, adapter) =>
      (await targetLosses(ctx.model, item.target, seeds.length, adapter)).map((loss) => {
        const reward = Math.exp(-loss);
        return { reward, solved: reward, total: 1, reason: `exp(−loss) = ${reward.toFixed(4)}`, detail: {} };
      }),
    record: (base) => ({ ...base, track: 'toy' }),
    explain: {
      noUpdate: (item) => `as is: ${item.id}`, sampled: (item, n, valid) => `${valid}/${n} for ${item.id}`,
      innerLoop: (item, _e, steps) => `${steps} steps on ${item.id}`, evaluated: (item, r) => `${item.id}: ${r}`,
      selected: (k, n) => `kept ${k} of ${n}`, sftSkipped: () => 'nothing kept', sftFailed: (r, why) => `round ${r} failed: ${why}`, sft: (n, l) => `sft on ${n}: ${l.length} steps`, merged: (r) => `merged ${r}`,
    },
  };
}

export const SETTINGS: LoopSettings = {
  seed: 7, rounds: 1, samplesPerTrainItem: 2, samplesPerEvalItem: 2, tttSeeds: 2,
  sampling: { temperature: 1, topP: 1, maxNewTokens: 4, maxAttempts: 2 },
  innerLoop: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], batchSize: 1, warmupRatio: 0, slots: 4 },
  restEm: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], epochs: 2, batchSize: 1, lr: 1e-2 },
  onFailedRound: 'continue',
};

export async function setup(gpu: Gpu, events: ToyEvent[]) {
  const get = httpFolder('/tests/golden/llama3-f32/model');
  const model = await loadModel(gpu, get);
  const tok = (await loadTokenizer(get))!;
  const ctx: SealContext<ToyEvent> = { model, tok, sp: specialsOf(model, tok), control: new RunControl(), emit: (e) => events.push(e) };
  return ctx;
}
