// The engine's handle on a GPUDevice it was given: pipeline cache, labelled buffers, read-back.
// No DOM here: the same code runs in a worker, in tests and under Node with Dawn.
import { BindGroupCache, layoutEntries } from './bind_groups.ts';
import { ParamArena, type ParamLayout, type Scalar } from './params.ts';
import { KernelProfiler, type KernelTime } from './profiler.ts';

export type Usage = 'storage' | 'readback';

export class Gpu {
  readonly hasF16: boolean;
  readonly limits: GPUSupportedLimits;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly groupLayouts = new Map<GPUComputePipeline, GPUBindGroupLayout>();
  /** Every dispatch's bind group, made once per pipeline and buffers (bind_groups.ts). */
  readonly bindGroups: BindGroupCache;
  /** Set while `profile()` runs: every dispatch then gets its own timed pass. */
  private profiler: KernelProfiler | null = null;
  readonly params: ParamArena;
  /**
   * Switches. `naiveMatmul` (benchmark): the plain one-thread-per-output GEMM as a baseline. `maxBindingBytes`:
   * weight matrices larger than this are stored as row shards in several buffers (default: the device's
   * binding and buffer limits; tests lower it to force splits on tiny models). `kernels`: which GEMM variants
   * this adapter gets (kernels/matmul/matmul.ts): 'cpu' for CPU adapters, 'gpu' for real GPUs (kernelClass below);
   * tests and the benchmark set it to run either path anywhere. `subgroups`: kernels that can reduce with subgroup
   * operations do (the device has the feature; tests turn it off to check the workgroup-memory path too).
   */
  readonly options: { naiveMatmul: boolean; maxBindingBytes: number; kernels: KernelClass; subgroups: boolean };
  /** Bytes in buffers made by `buffer()` and not yet given to `release()`. */
  allocatedBytes = 0;
  /** The most `allocatedBytes` has been since the device was made (what a run needed at its peak). */
  peakAllocatedBytes = 0;
  /** Compute dispatches recorded since the device was made (the benchmark's dispatches per decoded token). */
  dispatches = 0;
  private readonly sizes = new WeakMap<GPUBuffer, number>();

  constructor(readonly device: GPUDevice) {
    this.hasF16 = device.features.has('shader-f16');
    this.limits = device.limits;
    this.params = new ParamArena(device);
    this.bindGroups = new BindGroupCache(device);
    this.options = { naiveMatmul: false, maxBindingBytes: maxBinding(device.limits), kernels: kernelClass(device.adapterInfo), subgroups: device.features.has('subgroups') };
  }

  /** Compiles `code()` once per key; the key names the variant (e.g. `matmul_nt_bf16`). */
  pipeline(key: string, code: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const wgsl = code();
      const module = this.device.createShaderModule({ label: key, code: wgsl });
      const group = this.device.createBindGroupLayout({ label: key, entries: layoutEntries(wgsl) });
      const layout = this.device.createPipelineLayout({ label: key, bindGroupLayouts: [group] });
      p = this.device.createComputePipeline({ label: key, layout, compute: { module, entryPoint: 'main' } });
      this.pipelines.set(key, p);
      this.groupLayouts.set(p, group);
    }
    return p;
  }

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;

  /**
   * Records one compute dispatch. Binding 0 is the kernel's Params uniform, bindings 1.. are `buffers` in order.
   * Dispatches are batched into one compute pass until `flush()` (reads flush implicitly).
   */
  dispatch<F extends Record<string, Scalar>>(
    pipeline: GPUComputePipeline,
    layout: ParamLayout<F>,
    values: { [K in keyof F]: number },
    buffers: GPUBuffer[],
    groups: [number, number?, number?],
  ): void {
    const [x, y = 1, z = 1] = groups;
    if (x === 0 || y === 0 || z === 0) return;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) throw new Error(`${pipeline.label}: dispatch ${x}x${y}x${z} exceeds ${max}`);
    if (this.params.full) this.flush();
    const at = this.params.take();
    layout.pack(values, this.params.view, at);
    const params = { buffer: this.params.buffer, offset: 0, size: Math.max(16, Math.ceil(layout.bytes / 16) * 16) };
    const group = this.bindGroups.get(pipeline, this.groupLayouts.get(pipeline)!, params, buffers);
    this.encoder ??= this.device.createCommandEncoder({ label: 'engine-commands' });
    let pass: GPUComputePassEncoder;
    if (this.profiler) {
      this.pass?.end();
      this.pass = null;
      pass = this.encoder.beginComputePass({ label: pipeline.label, timestampWrites: this.profiler.next(pipeline.label) });
    } else pass = this.pass ??= this.encoder.beginComputePass({ label: 'engine-pass' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [at]);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler) pass.end();
    this.dispatches++;
  }

  /**
   * Runs `f` with every dispatch timed on the GPU (profiler.ts: one compute pass each, so time `f` separately).
   * `kernels` is null when the device has no 'timestamp-query'.
   */
  async profile<T>(f: () => Promise<T>, capacity?: number): Promise<{ value: T; kernels: KernelTime[] | null; dropped: number }> {
    if (!this.device.features.has('timestamp-query')) return { value: await f(), kernels: null, dropped: 0 };
    this.flush();
    const profiler = (this.profiler = new KernelProfiler(this.device, capacity));
    try {
      const value = await f();
      this.flush();
      return { value, kernels: await profiler.read(), dropped: profiler.dropped };
    } finally {
      this.profiler = null;
      profiler.destroy();
    }
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.params.upload(this.device.queue);
    this.device.queue.submit([this.encoder.finish()]);
    this.pass = null;
    this.encoder = null;
  }

  /** Destroys buffers after submitting the work recorded so far (which may still use them). */
  release(...buffers: GPUBuffer[]): void {
    this.flush();
    for (const b of buffers) {
      const n = this.sizes.get(b);
      if (n !== undefined) {
        this.allocatedBytes -= n;
        this.sizes.delete(b);
      }
      b.destroy();
    }
  }

  /** Copies bytes between buffers, in order with the dispatches recorded before it. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.flush();
    const enc = this.device.createCommandEncoder({ label: `copy:${src.label}->${dst.label}` });
    enc.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.device.queue.submit([enc.finish()]);
  }

  /** A storage buffer (read/write from shaders, copy in and out). Size is rounded up to 4 bytes. */
  buffer(label: string, bytes: number): GPUBuffer {
    const size = bufferBytes(bytes);
    if (size > maxBinding(this.limits)) {
      throw new GpuMemoryError(
        `${label}: ${fmtBytes(size)} exceeds this adapter's maxStorageBufferBindingSize ` +
          `(${fmtBytes(this.limits.maxStorageBufferBindingSize)})`,
      );
    }
    const b = this.device.createBuffer({
      label,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.sizes.set(b, size);
    this.allocatedBytes += size;
    this.peakAllocatedBytes = Math.max(this.peakAllocatedBytes, this.allocatedBytes);
    return b;
  }

  /** Creates a storage buffer holding `data` (padded to 16 bytes). */
  upload(label: string, data: ArrayBufferView): GPUBuffer {
    const buf = this.buffer(label, data.byteLength);
    this.write(buf, data);
    return buf;
  }

  write(buf: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.flush(); // keep queue order equal to program order
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    const aligned = bytes.byteLength & ~3;
    if (aligned) this.device.queue.writeBuffer(buf, byteOffset, bytes, 0, aligned);
    if (aligned !== bytes.byteLength) {
      const tail = new Uint8Array(4);
      tail.set(bytes.subarray(aligned));
      this.device.queue.writeBuffer(buf, byteOffset + aligned, tail);
    }
  }

  /** Copies `bytes` from `buf` (at `byteOffset`) back to the CPU. */
  async read(buf: GPUBuffer, bytes = buf.size, byteOffset = 0): Promise<ArrayBuffer> {
    this.flush();
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({
      label: `readback:${buf.label}`,
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const enc = this.device.createCommandEncoder({ label: `readback:${buf.label}` });
    enc.copyBufferToBuffer(buf, byteOffset, staging, 0, size);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = staging.getMappedRange().slice(0, bytes);
    staging.destroy();
    return out;
  }

  async readF32(buf: GPUBuffer, count: number, offset = 0): Promise<Float32Array> {
    return new Float32Array(await this.read(buf, count * 4, offset * 4));
  }
}

/**
 * 'cpu': SwiftShader, llvmpipe/lavapipe, WARP and any fallback adapter — a CPU running shaders, where workgroup
 * barriers cost more than the memory traffic they save, so the register-blocked GEMM is fastest; also when the
 * browser does not say what the adapter is (GPUDevice.adapterInfo is missing: today's path, the safe one).
 * 'gpu': everything else — tiled GEMM and a K-split GEMV for decode.
 */
export type KernelClass = 'cpu' | 'gpu';

export function kernelClass(info: (Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) | undefined): KernelClass {
  if (!info) return 'cpu';
  const name = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i.test(name) ? 'cpu' : 'gpu';
}

/** Bytes `Gpu.buffer` allocates for `bytes`: rounded up to 16, at least 16 (memory estimates use the same). */
export function bufferBytes(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/** The largest storage buffer that can be bound whole (both limits apply). */
export function maxBinding(limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/** Thrown when a buffer cannot be allocated on this adapter. */
export class GpuMemoryError extends Error {
  override name = 'GpuMemoryError';
}

export function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}
