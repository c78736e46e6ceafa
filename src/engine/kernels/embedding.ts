// embedding_forward: out[m, :] = table[tokens[m], :]. The table stays packed (f32/f16/bf16); no backward
// (embeddings are frozen: LoRA never targets them).
import type { Gpu } from '../gpu/context.ts';
import { loaders, storageType, type WeightDType } from '../gpu/dtype.ts';
import { paramLayout } from '../gpu/params.ts';
import { LINEAR_INDEX, linearGroups } from './common.ts';

const P = paramLayout({ M: 'u32', C: 'u32', tableOff: 'u32' });

function shader(dtype: WeightDType): string {
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;          // (M, C)
@group(0) @binding(2) var<storage, read> tokens: array<i32>;             // (M)
@group(0) @binding(3) var<storage, read> table: ${storageType(dtype)};   // (V, C) ${dtype}
${loaders('table', dtype)}
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.M * p.C) { return; }
  let m = i / p.C;
  let c = i % p.C;
  out[i] = ld_table(p.tableOff + u32(tokens[m]) * p.C + c);
}`;
}

/** Token ids must already be validated against the vocabulary (the model does this on the CPU). */
export function embedding_forward(
  gpu: Gpu, out: GPUBuffer, tokens: GPUBuffer, table: GPUBuffer,
  a: { M: number; C: number; dtype: WeightDType; tableOff?: number },
): void {
  const pipeline = gpu.pipeline(`embedding_${a.dtype}`, () => shader(a.dtype));
  gpu.dispatch(pipeline, P, { M: a.M, C: a.C, tableOff: a.tableOff ?? 0 }, [out, tokens, table], linearGroups(a.M * a.C));
}
