// GPU time per kernel from timestamp queries (the 'timestamp-query' feature): while a profile is open, Gpu.dispatch
// gives every dispatch its own compute pass with a begin and an end timestamp. The benchmark compares the summed
// kernel time with the wall time of the same work: the rest is dispatch, submit and read-back overhead. Separate
// passes cost a little themselves, so timed runs never profile; a profile is its own run of the same work.

/** Kernel time of one pipeline (its label names the variant: `matmul_gemv_nt_…`, `attention_split_d64`, …). */
export interface KernelTime {
  label: string;
  dispatches: number;
  ns: number;
}

export class KernelProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readback: GPUBuffer;
  private readonly labels: string[] = [];
  /** Dispatches that found the query set full (not timed; reported so a profile never silently undercounts). */
  dropped = 0;

  constructor(private readonly device: GPUDevice, readonly capacity = 2048) {
    this.querySet = device.createQuerySet({ label: 'profiler.timestamps', type: 'timestamp', count: 2 * capacity });
    // (2 · capacity) u64 timestamps: begin and end of each profiled pass
    this.resolved = device.createBuffer({ label: 'profiler.resolved', size: 16 * capacity, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readback = device.createBuffer({ label: 'profiler.readback', size: 16 * capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** The timestampWrites of the next dispatch's pass, or undefined when the query set is full. */
  next(label: string): GPUComputePassTimestampWrites | undefined {
    const i = this.labels.length;
    if (i >= this.capacity) {
      this.dropped++;
      return undefined;
    }
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Resolves the timestamps recorded so far (call after the work was submitted) into per-label totals. */
  async read(): Promise<KernelTime[]> {
    const n = this.labels.length;
    if (n === 0) return [];
    const enc = this.device.createCommandEncoder({ label: 'profiler.resolve' });
    enc.resolveQuerySet(this.querySet, 0, 2 * n, this.resolved, 0);
    enc.copyBufferToBuffer(this.resolved, 0, this.readback, 0, 16 * n);
    this.device.queue.submit([enc.finish()]);
    await this.readback.mapAsync(GPUMapMode.READ, 0, 16 * n);
    const t = new BigUint64Array(this.readback.getMappedRange(0, 16 * n).slice(0));
    this.readback.unmap();
    const by = new Map<string, KernelTime>();
    this.labels.forEach((label, i) => {
      const k = by.get(label) ?? { label, dispatches: 0, ns: 0 };
      // an end before its begin (a clock reset between passes) counts as 0 rather than wrapping
      k.ns += t[2 * i + 1] > t[2 * i] ? Number(t[2 * i + 1] - t[2 * i]) : 0;
      k.dispatches++;
      by.set(label, k);
    });
    return [...by.values()].sort((a, b) => b.ns - a.ns);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
    this.readback.destroy();
  }
}
