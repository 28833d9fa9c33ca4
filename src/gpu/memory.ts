/**
 * GPU byte accounting. WebGPU exposes no memory counters, so every buffer mazo creates goes through
 * `MemoryTracker.createBuffer`, which records its size under a category until it is destroyed.
 */

/** What a buffer holds: model parameters, per-shape activations, scratch space, or host transfer. */
export type MemoryCategory = "weights" | "activations" | "workspace" | "staging" | "uniforms";

/** Bytes by category, now and at the peak of the total. */
export interface MemoryReport {
  readonly current: Readonly<Record<MemoryCategory, number>>;
  readonly currentTotal: number;
  readonly peakTotal: number;
}

const CATEGORIES: readonly MemoryCategory[] = ["weights", "activations", "workspace", "staging", "uniforms"];

/** Tracks live GPU bytes per category and the peak of their sum. */
export class MemoryTracker {
  readonly #device: GPUDevice;
  readonly #live = new Map<GPUBuffer, { bytes: number; category: MemoryCategory }>();
  readonly #current: Record<MemoryCategory, number> = { weights: 0, activations: 0, workspace: 0, staging: 0, uniforms: 0 };
  #total = 0;
  #peak = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** Creates a buffer and records its bytes under `category`. */
  createBuffer(descriptor: GPUBufferDescriptor, category: MemoryCategory): GPUBuffer {
    const buffer = this.#device.createBuffer(descriptor);
    this.#live.set(buffer, { bytes: descriptor.size, category });
    this.#current[category] += descriptor.size;
    this.#total += descriptor.size;
    if (this.#total > this.#peak) this.#peak = this.#total;
    return buffer;
  }

  /** Destroys a buffer created here and releases its bytes. Destroying twice is a no-op. */
  destroy(buffer: GPUBuffer): void {
    const entry = this.#live.get(buffer);
    if (entry === undefined) return;
    this.#live.delete(buffer);
    this.#current[entry.category] -= entry.bytes;
    this.#total -= entry.bytes;
    buffer.destroy();
  }

  /** Restarts peak measurement from the current total (to measure one phase, such as a training step). */
  resetPeak(): void {
    this.#peak = this.#total;
  }

  report(): MemoryReport {
    const current = {} as Record<MemoryCategory, number>;
    for (const c of CATEGORIES) current[c] = this.#current[c];
    return { current, currentTotal: this.#total, peakTotal: this.#peak };
  }
}
