// Plain TypeScript twin of matmul_forward (same argument meaning, B already unpacked to f32).
import type { MatmulArgs } from './matmul.ts';

/** Row strides with matmul_forward's defaults (packed rows of each operand as stored). */
function strides(args: MatmulArgs): { lda: number; ldb: number; ldc: number } {
  const { M, N, K, transA = false, transB = false } = args;
  return { lda: args.lda ?? (transA ? M : K), ldb: args.ldb ?? (transB ? K : N), ldc: args.ldc ?? N };
}

/** Each product's offsets: product z at off + z·stride (strides default to 0, as in matmul_forward). */
function products(args: MatmulArgs): { aOff: number; bOff: number; cOff: number }[] {
  const { batch = 1, strideA = 0, strideB = 0, strideC = 0 } = args;
  return Array.from({ length: batch }, (_, z) => ({
    aOff: (args.aOff ?? 0) + z * strideA, bOff: (args.bOff ?? 0) + z * strideB, cOff: (args.cOff ?? 0) + z * strideC,
  }));
}

/**
 * Elements A, B and C span for these arguments (offsets, strides and every product of a batch included): the
 * buffers a test must make.
 */
export function matmulLengths(args: MatmulArgs): { a: number; b: number; c: number } {
  const { M, N, K, transA = false, transB = false } = args;
  const { lda, ldb, ldc } = strides(args);
  const o = products(args);
  const span = (off: (p: (typeof o)[number]) => number, rows: number, ld: number) => Math.max(...o.map((p) => off(p) + rows * ld));
  return { a: span((p) => p.aOff, transA ? K : M, lda), b: span((p) => p.bOff, transB ? N : K, ldb), c: span((p) => p.cOff, M, ldc) };
}

export function matmul_twin(c: Float32Array, a: Float32Array, b: Float32Array, args: MatmulArgs & { biasV?: Float32Array }): void {
  const { M, N, K, transA = false, transB = false, alpha = 1, beta = 0 } = args;
  const { lda, ldb, ldc } = strides(args);
  for (const { aOff, bOff, cOff } of products(args)) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = a[aOff + (transA ? k * lda + m : m * lda + k)];
          const bv = b[bOff + (transB ? n * ldb + k : k * ldb + n)];
          s += av * bv;
        }
        const ci = cOff + m * ldc + n;
        c[ci] = alpha * s + (beta !== 0 ? beta * c[ci] : 0) + (args.biasV ? args.biasV[(args.biasOff ?? 0) + n] : 0);
      }
    }
  }
}
