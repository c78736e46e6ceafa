// What every GEMM variant shares (matmul.ts: register-blocked and plain; matmul_tiled.ts; matmul_gemv.ts): the
// parameter struct, the operand types, the bindings of C, A, B, its scales and the bias, and their loaders. Declared once so the
// variants take the same packed values and matmul_forward can hand any of them the same dispatch.
import { loaders, storageType, type MatrixFormat, type WeightDType } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';

export const MATMUL_PARAMS = paramLayout({
  M: 'u32', N: 'u32', K: 'u32',
  lda: 'u32', ldb: 'u32', ldc: 'u32',
  aOff: 'u32', bOff: 'u32', cOff: 'u32', biasOff: 'u32',
  alpha: 'f32', beta: 'f32',
  // element strides between the products of a batch (dispatch z); 0 = every product shares the operand
  sA: 'u32', sB: 'u32', sC: 'u32',
});

/** The packed values of MATMUL_PARAMS (what every GEMM variant's dispatch takes). */
export type MatmulValues = Parameters<typeof MATMUL_PARAMS.pack>[0];

export type Operand = MatrixFormat | 'f32x4';

/** Binding declarations of B (and its scales) and the optional bias, numbered from 3. */
export function bBindings(bType: Operand, biasType: WeightDType | null, bShape: string): string {
  const q = bType === 'q8' || bType === 'q4';
  const lines = [`@group(0) @binding(3) var<storage, read> b: ${storageType(bType)};  // batch × ${bShape} ${bType}, row stride ldb, product stride sB`];
  if (q) lines.push(`@group(0) @binding(4) var<storage, read> b_s: array<u32>;  // (numel(B) / 32) f16 group scales, two per u32`);
  if (biasType) lines.push(`@group(0) @binding(${q ? 5 : 4}) var<storage, read> bias: ${storageType(biasType)};  // (N) ${biasType}, shared by every product`);
  return lines.join('\n');
}

/**
 * The WGSL every variant starts with: Params, the bindings of C, A, B (+ scales) and the bias, their loaders, and
 * `store_c(m, n, s)`, the one epilogue: C[m, n] = α·s + β·C[m, n] (+ bias[n]).
 * Batches: each variant's main first sets `zb`, its product (the dispatch's z), and reads its operands from `a_off()`
 * and `b_off()` (hoisted into lets, so the K loop sees no extra arithmetic); store_c writes product zb's C.
 */
export function matmulHeader(transA: boolean, transB: boolean, aType: Operand, bType: Operand, biasType: WeightDType | null): string {
  return `${MATMUL_PARAMS.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> c: array<f32>;    // batch × (M, N), row stride ldc, product stride sC
@group(0) @binding(2) var<storage, read> a: ${storageType(aType)};        // batch × ${transA ? '(K, M)' : '(M, K)'}, row stride lda, product stride sA
${bBindings(bType, biasType, transB ? '(N, K)' : '(K, N)')}
var<private> zb: u32;  // this invocation's product (workgroup size z is 1, so the dispatch's z)
fn a_off() -> u32 { return p.aOff + zb * p.sA; }
fn b_off() -> u32 { return p.bOff + zb * p.sB; }
${loaders('a', aType)}
${loaders('b', bType)}
${biasType ? loaders('bias', biasType) : ''}
fn store_c(m: u32, n: u32, s: f32) {
  let ci = p.cOff + zb * p.sC + m * p.ldc + n;
  var v = p.alpha * s;
  if (p.beta != 0.0) { v += p.beta * c[ci]; }
  ${biasType ? 'v += ld_bias(p.biasOff + n);' : ''}
  c[ci] = v;
}`;
}
