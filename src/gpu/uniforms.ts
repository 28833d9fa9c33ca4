/**
 * A pool of uniform buffers, each cut into 256-byte slots (WebGPU's minUniformBufferOffsetAlignment
 * upper bound). A Recorder takes one buffer, fills slots on the CPU while it records, uploads them with
 * one writeBuffer just before it submits, and gives the buffer back: queue order makes reuse safe.
 */
import type { MemoryTracker } from "./memory.ts";

/** Bytes per uniform slot; every kernel's parameter struct must fit in one. */
export const UNIFORM_SLOT_BYTES = 256;
/** Slots per pooled buffer; a Recorder that needs more submits and continues in a fresh batch. */
export const UNIFORM_SLOTS = 1024;

/** Free uniform buffers of UNIFORM_SLOTS slots each. */
export class UniformPool {
  readonly #memory: MemoryTracker;
  readonly #free: GPUBuffer[] = [];
  #made = 0;

  constructor(memory: MemoryTracker) {
    this.#memory = memory;
  }

  acquire(): GPUBuffer {
    const b = this.#free.pop();
    if (b !== undefined) return b;
    this.#made++;
    return this.#memory.createBuffer(
      { label: `uniforms.pool[${this.#made - 1}]`, size: UNIFORM_SLOT_BYTES * UNIFORM_SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST },
      "uniforms",
    );
  }

  release(buffer: GPUBuffer): void {
    this.#free.push(buffer);
  }
}
