// embedding_forward: out[m, :] = table[tokens[m] − row0, :] for the tokens whose row lies in this table's rows
// [row0, row0 + rows) (a vocabulary larger than one buffer is stored as row shards, one dispatch per shard; each
// token is written by exactly one). The table stays packed (f32/f16/bf16) or quantised (q8/q4 with f16 group
// scales); no backward (embeddings are frozen: LoRA never targets them).
import type { Gpu } from '../../gpu/context.ts';
import { isQuant, loaders, storageType, type MatrixFormat } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { LINEAR_INDEX, linearGroups } from '../common.ts';

const P = paramLayout({ M: 'u32', C: 'u32', tableOff: 'u32', row0: 'u32', rows: 'u32' });

function shader(dtype: MatrixFormat): string {
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;          // (M, C)
@group(0) @binding(2) var<storage, read> tokens: array<i32>;             // (M)
@group(0) @binding(3) var<storage, read> table: ${storageType(dtype)};   // (rows, C) ${dtype}: vocabulary rows row0..
${isQuant(dtype) ? '@group(0) @binding(4) var<storage, read> table_s: array<u32>;  // (rows · C / 32) f16 group scales, two per u32' : ''}
${loaders('table', dtype)}
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.M * p.C) { return; }
  let m = i / p.C;
  let c = i % p.C;
  let row = u32(tokens[m]) - p.row0;   // wraps to a huge value below row0
  if (row >= p.rows) { return; }
  out[i] = ld_table(p.tableOff + row * p.C + c);
}`;
}

export interface EmbeddingArgs {
  M: number;
  C: number;
  dtype: MatrixFormat;
  /** Group scales of a quantised table. */
  scales?: GPUBuffer;
  tableOff?: number;
  /** Vocabulary rows this table holds (default: all). */
  row0?: number;
  rows?: number;
}

/** Token ids must already be validated against the vocabulary (the model does this on the CPU). */
export function embedding_forward(gpu: Gpu, out: GPUBuffer, tokens: GPUBuffer, table: GPUBuffer, a: EmbeddingArgs): void {
  if (isQuant(a.dtype) !== !!a.scales) throw new Error(`embedding: ${a.dtype} table ${a.scales ? 'has no' : 'needs'} scales`);
  const pipeline = gpu.pipeline(`embedding_${a.dtype}`, () => shader(a.dtype));
  const values = { M: a.M, C: a.C, tableOff: a.tableOff ?? 0, row0: a.row0 ?? 0, rows: a.rows ?? 0xffffffff };
  gpu.dispatch(pipeline, P, values, a.scales ? [out, tokens, table, a.scales] : [out, tokens, table], linearGroups(a.M * a.C));
}
