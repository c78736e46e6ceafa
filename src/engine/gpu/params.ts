// Kernel parameters: each kernel declares its uniform struct once (`paramLayout`), which yields both the WGSL
// struct and the packer, so layouts are never counted by hand. Values go into one uniform ring (ParamArena)
// written once per submit: no buffer is created per dispatch.

export type Scalar = 'u32' | 'i32' | 'f32';

export interface ParamLayout<F extends Record<string, Scalar>> {
  /** `struct Params { ... }` for the shader. */
  readonly wgsl: string;
  readonly bytes: number;
  pack(values: { [K in keyof F]: number }, into: DataView, at: number): void;
}

export function paramLayout<F extends Record<string, Scalar>>(fields: F): ParamLayout<F> {
  const names = Object.keys(fields);
  const wgsl = `struct Params {\n${names.map((n) => `  ${n}: ${fields[n]},`).join('\n')}\n};`;
  return {
    wgsl,
    bytes: names.length * 4,
    pack(values, view, at) {
      names.forEach((n, i) => {
        const v = values[n as keyof F];
        if (v === undefined || Number.isNaN(v)) throw new Error(`kernel parameter ${n} is ${v}`);
        const o = at + i * 4;
        if (fields[n] === 'f32') view.setFloat32(o, v, true);
        else if (fields[n] === 'i32') view.setInt32(o, v, true);
        else view.setUint32(o, v, true);
      });
    },
  };
}

const SLOT = 256; // minUniformBufferOffsetAlignment is at most 256 on every adapter
const SLOTS = 2048;

export class ParamArena {
  readonly buffer: GPUBuffer;
  readonly view: DataView;
  private used = 0;

  constructor(device: GPUDevice) {
    this.buffer = device.createBuffer({
      label: 'kernel-params-ring',
      size: SLOT * SLOTS,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.view = new DataView(new ArrayBuffer(SLOT * SLOTS));
  }

  get full(): boolean {
    return this.used === SLOTS;
  }

  /** Reserves one slot; returns its byte offset. */
  take(): number {
    if (this.full) throw new Error('parameter ring full: flush first');
    return SLOT * this.used++;
  }

  /** Uploads the slots used since the last upload (call just before submit). */
  upload(queue: GPUQueue): void {
    if (this.used) queue.writeBuffer(this.buffer, 0, this.view.buffer, 0, this.used * SLOT);
    this.used = 0;
  }
}
