/**
 * Records compute dispatches into one command encoder and submits them together. Each dispatch gets a
 * 256-byte uniform slot (binding 0 of its kernel, when the kernel takes parameters); slots are written
 * on the CPU while recording and uploaded with one writeBuffer right before the submit.
 */
import type { GpuContext } from "./context.ts";
import type { KernelDef, Overrides } from "./pipelines.ts";
import { UNIFORM_SLOT_BYTES, UNIFORM_SLOTS } from "./uniforms.ts";

/** A storage binding: a whole buffer, or a byte range of one. */
export type StorageBinding = GPUBuffer | { readonly buffer: GPUBuffer; readonly offset: number; readonly size: number };

/** Kernel parameters, packed into the uniform slot in order as 4-byte words. */
export type UniformWords = readonly (readonly ["u32" | "i32" | "f32", number])[];

export interface DispatchSpec {
  readonly kernel: KernelDef;
  readonly overrides?: Overrides;
  /** Parameters for binding 0; omit for kernels without a uniform. */
  readonly uniforms?: UniformWords;
  /** Storage buffers for bindings 1, 2, ... (or 0, 1, ... without uniforms), in order. */
  readonly storage: readonly StorageBinding[];
  readonly workgroups: readonly [number, number?, number?];
}

/** Accumulates dispatches; `submit()` sends them to the queue. Reusable after submit. */
export class Recorder {
  readonly #ctx: GpuContext;
  readonly #label: string;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #uniformBuffer: GPUBuffer | null = null;
  #slots = new DataView(new ArrayBuffer(UNIFORM_SLOT_BYTES * UNIFORM_SLOTS));
  #used = 0;
  #dispatches = 0;

  constructor(ctx: GpuContext, label: string) {
    this.#ctx = ctx;
    this.#label = label;
  }

  /** Dispatches recorded since the recorder was made. */
  get dispatchCount(): number {
    return this.#dispatches;
  }

  dispatch(spec: DispatchSpec): void {
    const [x, y = 1, z = 1] = spec.workgroups;
    const maxDim = this.#ctx.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxDim || y > maxDim || z > maxDim || !Number.isInteger(x) || !Number.isInteger(y) || !Number.isInteger(z)) {
      throw new RangeError(`${spec.kernel.name}: dispatch (${x}, ${y}, ${z}) workgroups; each dimension must be an integer at most ${maxDim}`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    if (spec.uniforms !== undefined && this.#used === UNIFORM_SLOTS) this.submit();
    const pass = this.#beginPass();
    const pipeline = this.#ctx.pipelines.get(spec.kernel, spec.overrides);
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    if (spec.uniforms !== undefined) {
      if (spec.uniforms.length * 4 > UNIFORM_SLOT_BYTES) throw new RangeError(`${spec.kernel.name}: ${spec.uniforms.length} uniform words exceed the ${UNIFORM_SLOT_BYTES}-byte slot`);
      this.#uniformBuffer ??= this.#ctx.uniforms.acquire();
      const base = this.#used * UNIFORM_SLOT_BYTES;
      spec.uniforms.forEach(([type, v], i) => {
        const off = base + 4 * i;
        if (type === "f32") this.#slots.setFloat32(off, v, true);
        else if (type === "u32") this.#slots.setUint32(off, v, true);
        else this.#slots.setInt32(off, v, true);
      });
      entries.push({ binding: binding++, resource: { buffer: this.#uniformBuffer, offset: base, size: Math.max(16, spec.uniforms.length * 4 + (16 - (spec.uniforms.length * 4) % 16) % 16) } });
      this.#used++;
    }
    for (const s of spec.storage) {
      entries.push({ binding: binding++, resource: "buffer" in s ? { buffer: s.buffer, offset: s.offset, size: s.size } : { buffer: s } });
    }
    const bindGroup = this.#ctx.device.createBindGroup({ label: `${spec.kernel.name}.bindGroup`, layout: pipeline.getBindGroupLayout(0), entries });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.#dispatches++;
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.#endPass();
    this.#encoder ??= this.#ctx.device.createCommandEncoder({ label: `${this.#label}.encoder` });
    this.#encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Submits everything recorded so far. */
  submit(): void {
    this.#endPass();
    if (this.#encoder === null) return;
    const cmd = this.#encoder.finish({ label: `${this.#label}.commands` });
    this.#encoder = null;
    if (this.#uniformBuffer !== null) {
      this.#ctx.device.queue.writeBuffer(this.#uniformBuffer, 0, this.#slots.buffer as ArrayBuffer, 0, this.#used * UNIFORM_SLOT_BYTES);
    }
    this.#ctx.device.queue.submit([cmd]);
    if (this.#uniformBuffer !== null) this.#ctx.uniforms.release(this.#uniformBuffer);
    this.#uniformBuffer = null;
    this.#used = 0;
  }

  #beginPass(): GPUComputePassEncoder {
    if (this.#pass !== null) return this.#pass;
    this.#encoder ??= this.#ctx.device.createCommandEncoder({ label: `${this.#label}.encoder` });
    this.#pass = this.#encoder.beginComputePass({ label: `${this.#label}.pass` });
    return this.#pass;
  }

  #endPass(): void {
    if (this.#pass === null) return;
    this.#pass.end();
    this.#pass = null;
  }
}
