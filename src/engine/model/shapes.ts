// Tensor names and shapes a config implies (Hugging Face's LlamaForCausalLM / Qwen2ForCausalLM naming). Shared by
// the loader (weights.ts), the LoRA adapter and the memory estimate (memory.ts); imports nothing but the config.
import type { ModelConfig } from './config.ts';

export type Projection = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';
export const PROJECTIONS: readonly Projection[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/** (out, in) of each projection. */
export function projectionShape(cfg: ModelConfig, p: Projection): [number, number] {
  const q = cfg.heads * cfg.headDim;
  const kv = cfg.kvHeads * cfg.headDim;
  const shapes: Record<Projection, [number, number]> = {
    q_proj: [q, cfg.hidden], k_proj: [kv, cfg.hidden], v_proj: [kv, cfg.hidden], o_proj: [cfg.hidden, q],
    gate_proj: [cfg.intermediate, cfg.hidden], up_proj: [cfg.intermediate, cfg.hidden], down_proj: [cfg.hidden, cfg.intermediate],
  };
  return shapes[p];
}

export const projectionGroup = (p: Projection) => (p === 'gate_proj' || p === 'up_proj' || p === 'down_proj' ? 'mlp' : 'self_attn');

export const hasBias = (cfg: ModelConfig, p: Projection) => cfg.qkvBias && (p === 'q_proj' || p === 'k_proj' || p === 'v_proj');

/** Every tensor the config implies, with its shape. */
export function expectedTensors(cfg: ModelConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [cfg.vocabSize, cfg.hidden]);
  for (let l = 0; l < cfg.layers; l++) {
    const pre = `model.layers.${l}`;
    m.set(`${pre}.input_layernorm.weight`, [cfg.hidden]);
    m.set(`${pre}.post_attention_layernorm.weight`, [cfg.hidden]);
    for (const p of PROJECTIONS) {
      const [out, inp] = projectionShape(cfg, p);
      m.set(`${pre}.${projectionGroup(p)}.${p}.weight`, [out, inp]);
      if (hasBias(cfg, p)) m.set(`${pre}.self_attn.${p}.bias`, [out]);
    }
  }
  m.set('model.norm.weight', [cfg.hidden]);
  if (!cfg.tieEmbeddings) m.set('lm_head.weight', [cfg.vocabSize, cfg.hidden]);
  return m;
}

/** The tensors stored as matrices (sharded when large, quantisable): the embedding, the head, every projection. */
export const isMatrixTensor = (name: string) => name.endsWith('_proj.weight') || name === 'model.embed_tokens.weight' || name === 'lm_head.weight';
