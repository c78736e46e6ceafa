// Plain TypeScript twin of embedding_forward (embedding.ts): gathers the rows of the tokens this table shard holds.
import { bf16ToF32, f16ToF32, type MatrixFormat } from '../../gpu/dtype.ts';
import type { EmbeddingArgs } from './embedding.ts';
import { dequantize_twin } from '../quant/dequantize.twin.ts';

export interface EmbeddingTwinArgs extends Omit<EmbeddingArgs, 'scales' | 'dtype'> {
  dtype: MatrixFormat;
  /** f16 group scale bits of a q8/q4 table. */
  scales?: Uint16Array;
}

/** The f32 values a table's storage holds: f32 as is, f16/bf16 bits unpacked, q8/q4 codes dequantised. */
function tableValues(table: Float32Array | Uint16Array | Uint32Array, a: EmbeddingTwinArgs): Float32Array {
  switch (a.dtype) {
    case 'f32': return table as Float32Array;
    case 'bf16': return bf16ToF32(table as Uint16Array);
    case 'f16': return f16ToF32(table as Uint16Array);
    case 'q8':
    case 'q4': {
      if (!a.scales) throw new Error(`embedding_twin: a ${a.dtype} table needs scales`);
      return dequantize_twin(table as Uint32Array, a.scales, a.dtype, table.length * (a.dtype === 'q8' ? 4 : 8));
    }
  }
}

// out (M, C) f32, written only at the tokens whose row lies in [row0, row0 + rows); tokens (M) i32;
// table (rows, C) from element tableOff: Float32Array (f32), Uint16Array bits (f16/bf16), Uint32Array codes (q8/q4)
export function embedding_twin(out: Float32Array, tokens: Int32Array, table: Float32Array | Uint16Array | Uint32Array, a: EmbeddingTwinArgs): void {
  const { M, C, tableOff = 0, row0 = 0, rows = Infinity } = a;
  const values = tableValues(table, a);
  for (let m = 0; m < M; m++) {
    const row = tokens[m] - row0;
    if (row < 0 || row >= rows) continue;
    for (let c = 0; c < C; c++) out[m * C + c] = values[tableOff + row * C + c];
  }
}
