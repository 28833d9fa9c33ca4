/**
 * Compute pipeline cache keyed by kernel definition and `override` constant values. A pipeline is built
 * once per (kernel, overrides) and reused; its workgroup size is checked against the device's limits
 * before it is built, so an oversized workgroup is a RangeError, never a silent validation failure.
 */

/** Values for a kernel's WGSL `override` constants. */
export type Overrides = Readonly<Record<string, number>>;

/** One WGSL compute kernel: its source, entry point and workgroup shape as a function of its overrides. */
export interface KernelDef {
  /** Label prefix for every GPU object made for it, e.g. "matmul". */
  readonly name: string;
  readonly wgsl: string;
  readonly entryPoint: string;
  /** Workgroup size (x, y, z) this kernel declares for the given overrides. */
  workgroupSize(overrides: Overrides): readonly [number, number, number];
}

/** Builds and caches compute pipelines for one device. */
export class PipelineCache {
  readonly #device: GPUDevice;
  readonly #modules = new Map<KernelDef, GPUShaderModule>();
  readonly #pipelines = new Map<KernelDef, Map<string, GPUComputePipeline>>();

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** The pipeline for `kernel` with `overrides`, built on first use. */
  get(kernel: KernelDef, overrides: Overrides = {}): GPUComputePipeline {
    let byOverrides = this.#pipelines.get(kernel);
    if (byOverrides === undefined) {
      byOverrides = new Map();
      this.#pipelines.set(kernel, byOverrides);
    }
    const names = Object.keys(overrides).sort();
    const key = names.map((n) => `${n}=${overrides[n]}`).join(",");
    const cached = byOverrides.get(key);
    if (cached !== undefined) return cached;

    this.#checkWorkgroup(kernel, overrides);
    let module = this.#modules.get(kernel);
    if (module === undefined) {
      module = this.#device.createShaderModule({ label: `${kernel.name}.module`, code: kernel.wgsl });
      this.#modules.set(kernel, module);
    }
    const pipeline = this.#device.createComputePipeline({
      label: `${kernel.name}.pipeline(${key})`,
      layout: "auto",
      compute: { module, entryPoint: kernel.entryPoint, constants: { ...overrides } },
    });
    byOverrides.set(key, pipeline);
    return pipeline;
  }

  #checkWorkgroup(kernel: KernelDef, overrides: Overrides): void {
    const [x, y, z] = kernel.workgroupSize(overrides);
    const lim = this.#device.limits;
    const total = x * y * z;
    if (total > lim.maxComputeInvocationsPerWorkgroup) {
      throw new RangeError(
        `${kernel.name}: workgroup ${x}x${y}x${z} = ${total} invocations exceeds the device's maxComputeInvocationsPerWorkgroup ${lim.maxComputeInvocationsPerWorkgroup}`,
      );
    }
    if (x > lim.maxComputeWorkgroupSizeX || y > lim.maxComputeWorkgroupSizeY || z > lim.maxComputeWorkgroupSizeZ) {
      throw new RangeError(
        `${kernel.name}: workgroup ${x}x${y}x${z} exceeds the device's per-dimension limits ${lim.maxComputeWorkgroupSizeX}x${lim.maxComputeWorkgroupSizeY}x${lim.maxComputeWorkgroupSizeZ}`,
      );
    }
  }
}
