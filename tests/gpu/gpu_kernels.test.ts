// The suites that exercise the GEMM — its twin tests, the quantised kernels and models, and the golden PyTorch
// comparisons (logits, every LoRA gradient, 5 AdamW steps, 32 greedy tokens; f32 and bf16, Llama-3 and Qwen2) —
// run again with the GPU-class kernels (tiled GEMM, decode GEMV, a workgroup per attention row: gpu.options.kernels =
// 'gpu'), which a real GPU
// adapter gets and SwiftShader's does not. Same tests, same tolerances, the other path. Each test file has its
// own page and device, so the switch stays in this file.
import { testGpu } from './device.ts';

(await testGpu()).options.kernels = 'gpu';
await import('./matmul.test.ts');
await import('./quant.test.ts');
await import('./golden.test.ts');
