// Memory bandwidth of the adapter, measured: a vec4 copy kernel (each invocation reads and writes 16 bytes) and
// the queue's copyBufferToBuffer, over buffers far larger than any cache. GB/s counts bytes read plus written.
// With the bytes a decoded token reads, it gives the decode ceiling (bandwidth / bytes per token). A spec-sheet
// figure is added for adapters we can name (only from their own description; never guessed).
import type { Gpu } from '../engine/gpu/context.ts';
import { paramLayout } from '../engine/gpu/params.ts';
import { measure, round } from './measure.ts';
import type { BandwidthReport } from './types.ts';

const P = paramLayout({ n: 'u32' });
const WG = 256;
const SHADER = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> src: array<vec4<f32>>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.y * nwg.x * ${WG}u + gid.x;
  if (i < p.n) { dst[i] = src[i]; }
}`;

/** Peak DRAM bandwidth from vendors' spec sheets, matched on the adapter's own description (bytes/s). */
const KNOWN: Array<[RegExp, number, string]> = [
  [/H200/i, 4.8e12, 'NVIDIA H200: 4.8 TB/s HBM3e'],
  [/H100.*(SXM|HBM3)|H100 80GB HBM3/i, 3.35e12, 'NVIDIA H100 SXM: 3.35 TB/s HBM3'],
  [/H100/i, 2.0e12, 'NVIDIA H100 PCIe: 2.0 TB/s HBM2e'],
  [/RTX 4090/i, 1.008e12, 'NVIDIA RTX 4090: 1008 GB/s GDDR6X'],
];

export function knownBandwidth(description: string): { bytesPerS: number; source: string } | null {
  const k = KNOWN.find(([re]) => re.test(description));
  return k ? { bytesPerS: k[1], source: k[2] } : null;
}

/** Copies `bytes` (at most 256 MiB, within the binding limit) both ways; GB/s of the copy kernel and of the queue copy. */
export async function measureBandwidth(gpu: Gpu, description: string, maxBytes = 256 * 2 ** 20): Promise<BandwidthReport> {
  const bytes = Math.floor(Math.min(maxBytes, gpu.options.maxBindingBytes) / 16) * 16;
  const src = gpu.buffer('bench-bw-src', bytes);
  const dst = gpu.buffer('bench-bw-dst', bytes);
  try {
    const n = bytes / 16;
    const groups = Math.ceil(n / WG);
    const y = Math.ceil(groups / gpu.limits.maxComputeWorkgroupsPerDimension);
    const grid: [number, number] = [Math.ceil(groups / y), y];
    const pipeline = gpu.pipeline('bench_copy_vec4', () => SHADER);
    const timedRun = (copy: () => void) => measure(async (reps) => {
      const t = performance.now();
      for (let i = 0; i < reps; i++) copy();
      await gpu.read(dst, 16);
      return (performance.now() - t) / 1000 / reps;
    }, true);
    const kernel = await timedRun(() => gpu.dispatch(pipeline, P, { n }, [dst, src], grid));
    const queue = await timedRun(() => gpu.copy(src, 0, dst, 0, bytes));
    const known = knownBandwidth(description);
    return {
      bytes, copyKernelGBps: round((2 * bytes) / kernel / 1e9), copyBufferGBps: round((2 * bytes) / queue / 1e9),
      specGBps: known ? round(known.bytesPerS / 1e9) : null, specSource: known?.source ?? null,
      method: 'median seconds of dst = src over one buffer pair (vec4 copy kernel; queue copyBufferToBuffer); GB/s = 2 × bytes / s (read + write)',
    };
  } finally {
    gpu.release(src, dst);
  }
}
