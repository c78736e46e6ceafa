// Bind groups made once and reused. A decode step makes the same dispatches over the same buffers every token, so
// building a GPUBindGroup per dispatch was pure overhead (an object and, in a browser, a call into the GPU process
// each). Each pipeline gets an explicit layout read from its WGSL in which binding 0, the Params uniform, has a
// dynamic offset: the slot in the parameter ring changes per dispatch, the bind group does not.

/** The bind group layout entries of a compute shader's `@group(0) @binding(i) var<…>` declarations. */
export function layoutEntries(wgsl: string): GPUBindGroupLayoutEntry[] {
  const entries: GPUBindGroupLayoutEntry[] = [];
  for (const m of wgsl.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<(uniform|storage\s*,\s*(read_write|read))>/g)) {
    const binding = Number(m[1]);
    const buffer: GPUBufferBindingLayout = m[2] === 'uniform'
      ? { type: 'uniform', hasDynamicOffset: binding === 0 }
      : { type: m[3] === 'read' ? 'read-only-storage' : 'storage' };
    entries.push({ binding, visibility: GPUShaderStage.COMPUTE, buffer });
  }
  entries.sort((a, b) => a.binding - b.binding);
  if (entries[0]?.binding !== 0 || entries[0].buffer?.type !== 'uniform') throw new Error('kernel: binding 0 must be the Params uniform');
  return entries;
}

/** Bind groups keyed by pipeline and buffers, oldest dropped beyond `capacity` (buffers come and go between runs). */
export class BindGroupCache {
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 0;
  /** Bind groups made so far (tests check that repeated dispatches reuse them). */
  created = 0;

  constructor(private readonly device: GPUDevice, private readonly capacity = 4096) {}

  get(pipeline: GPUComputePipeline, layout: GPUBindGroupLayout, params: GPUBufferBinding, buffers: GPUBuffer[]): GPUBindGroup {
    const key = `${pipeline.label}|${params.size}|${buffers.map((b) => this.id(b)).join(',')}`;
    let group = this.groups.get(key);
    if (!group) {
      group = this.device.createBindGroup({
        label: pipeline.label, layout,
        entries: [{ binding: 0, resource: params }, ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
      });
      this.created++;
      if (this.groups.size >= this.capacity) this.groups.delete(this.groups.keys().next().value!);
      this.groups.set(key, group);
    }
    return group;
  }

  private id(b: GPUBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) this.ids.set(b, (id = this.nextId++));
    return id;
  }
}
