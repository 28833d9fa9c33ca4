/**
 * The GPU context: one object holding the device and everything bound to it (pipeline cache, memory
 * tracker, uniform arena, fault log). Every module receives it explicitly; there is no global device.
 */
import { type BackendChoice, findAdapter, isSoftware } from "./adapter.ts";
import { MemoryTracker } from "./memory.ts";
import { PipelineCache } from "./pipelines.ts";
import { requiredLimitsFor } from "./requirements.ts";
import { detectRuntime, type Runtime } from "./runtime.ts";
import { UniformPool } from "./uniforms.ts";

/** Adapter facts worth printing. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for software adapters (llvmpipe, lavapipe, SwiftShader) or when the adapter says so. */
  readonly software: boolean;
}

/** A device-lost event or an uncaptured GPU error. */
export interface GpuFault {
  readonly kind: "lost" | "validation" | "out-of-memory" | "internal";
  readonly message: string;
}

/** Options of {@link createGpuContext}. */
export interface GpuContextOptions {
  /** How to reach the GPU (default `auto`). */
  readonly backend?: BackendChoice;
  /**
   * Largest storage binding, in bytes, a tensor chunk may use. Defaults to the device's
   * maxStorageBufferBindingSize; tests lower it to exercise splitting.
   */
  readonly bindingCap?: number;
  /** Called for each fault as it happens (default: print to stderr). Faults are also kept in `faults`. */
  readonly onFault?: (fault: GpuFault) => void;
}

/**
 * A WebGPU device with everything mazo's kernels share: the limits requested, pipeline and uniform
 * caches, memory tracking and the faults seen. Create one with {@link createGpuContext}, pass it
 * explicitly, and destroy() it when done.
 */
export interface GpuContext {
  /** The GPU entry object (kept referenced until destroy; Dawn on Node needs that). */
  readonly gpu: GPU | null;
  readonly runtime: Runtime;
  /** How the adapter was reached, e.g. "node/dawn vulkan (SwiftShader ICD)". */
  readonly path: string;
  readonly featureLevel: "core" | "compatibility";
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly info: AdapterSummary;
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  /** Bytes per storage binding a tensor chunk may take (4-byte multiple). */
  readonly bindingCap: number;
  readonly pipelines: PipelineCache;
  readonly memory: MemoryTracker;
  readonly uniforms: UniformPool;
  /** Every fault seen so far, in order. */
  readonly faults: GpuFault[];
  /** Throws if the device was lost or an uncaptured error happened since the context was made. */
  throwIfFaulted(): void;
  /** Destroys the device; the context is unusable afterwards. */
  destroy(): void;
}


/** Acquires an adapter and device for this runtime with every limit mazo's kernels need. */
export async function createGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  const runtime = detectRuntime();
  const found = await findAdapter(runtime, options.backend ?? "auto");
  const { adapter } = found;
  const ai = adapter.info;
  const description = ai.description || ai.device || ai.architecture || ai.vendor || "unknown adapter";
  const info: AdapterSummary = {
    vendor: ai.vendor,
    architecture: ai.architecture,
    device: ai.device,
    description,
    software: isSoftware(adapter),
  };
  const requiredLimits = requiredLimitsFor(adapter, `${description} via ${found.path}`);
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has("shader-f16")) requiredFeatures.push("shader-f16");
  if (adapter.features.has("timestamp-query")) requiredFeatures.push("timestamp-query");
  const device = await adapter.requestDevice({ label: "mazo.device", requiredLimits, requiredFeatures });

  const faults: GpuFault[] = [];
  const onFault = options.onFault ?? ((f: GpuFault) => console.error(`mazo: GPU ${f.kind}: ${f.message}`));
  let destroyed = false;
  let keepAlive: GPU | null = found.gpu;
  device.lost.then((lost) => {
    if (destroyed && lost.reason === "destroyed") return;
    const fault: GpuFault = { kind: "lost", message: `device lost (${lost.reason}): ${lost.message}` };
    faults.push(fault);
    onFault(fault);
  });
  device.addEventListener("uncapturederror", (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    const kind = err instanceof GPUValidationError ? "validation" : err instanceof GPUOutOfMemoryError ? "out-of-memory" : "internal";
    const fault: GpuFault = { kind, message: err.message };
    faults.push(fault);
    onFault(fault);
  });

  const maxBinding = device.limits.maxStorageBufferBindingSize;
  let bindingCap = maxBinding;
  if (options.bindingCap !== undefined) {
    if (!Number.isInteger(options.bindingCap) || options.bindingCap < 256 || options.bindingCap > maxBinding) {
      throw new RangeError(`bindingCap must be an integer in [256, ${maxBinding}] bytes, got ${options.bindingCap}`);
    }
    bindingCap = options.bindingCap;
  }
  bindingCap -= bindingCap % 4;
  const memory = new MemoryTracker(device);

  return {
    get gpu(): GPU | null {
      return keepAlive;
    },
    runtime,
    path: found.path,
    featureLevel: found.featureLevel,
    adapter,
    device,
    info,
    limits: device.limits,
    features: new Set(device.features as unknown as Iterable<string>),
    bindingCap,
    pipelines: new PipelineCache(device),
    memory,
    uniforms: new UniformPool(memory),
    faults,
    throwIfFaulted() {
      if (faults.length > 0) {
        throw new Error(`GPU fault${faults.length > 1 ? "s" : ""}: ` + faults.map((f) => `${f.kind}: ${f.message}`).join("; "));
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      device.destroy();
      keepAlive = null;
    },
  };
}
