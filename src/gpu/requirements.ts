/**
 * Device limits every mazo kernel may rely on. The context requests exactly these (or the adapter's
 * maximum where marked), so a kernel written against them can never silently exceed a default limit
 * (compatibility mode's 128 invocations per workgroup, 4 storage buffers per stage).
 *
 * Kernels pick workgroup sizes up to WORKGROUP_MAX_INVOCATIONS; the pipeline cache re-checks every
 * pipeline's workgroup against the device it is built on.
 */

/** Largest workgroup (x*y*z invocations) any kernel uses. */
export const WORKGROUP_MAX_INVOCATIONS = 256;
/** Largest workgroup extent in x or y any kernel uses. */
export const WORKGROUP_MAX_X = 256;
export const WORKGROUP_MAX_Y = 256;
/** Workgroup shared memory any kernel may use, bytes. */
export const WORKGROUP_STORAGE_BYTES = 16384;
/** Storage buffers bound in one compute stage, at most. */
export const STORAGE_BUFFERS_PER_STAGE = 8;
/** Uniform buffers bound in one compute stage, at most. */
export const UNIFORM_BUFFERS_PER_STAGE = 1;
/** Smallest storage binding size we accept (128 MiB, the WebGPU default). */
export const MIN_STORAGE_BINDING_BYTES = 128 * 1024 * 1024;

/** A limit we need: its name, the value we need, and whether to take the adapter's maximum instead. */
export interface LimitRequirement {
  readonly name: keyof GPUSupportedLimits & string;
  readonly need: number;
  readonly takeAdapterMax: boolean;
}

/** Every limit the kernels rely on. */
export const LIMIT_REQUIREMENTS: readonly LimitRequirement[] = [
  { name: "maxComputeInvocationsPerWorkgroup", need: WORKGROUP_MAX_INVOCATIONS, takeAdapterMax: false },
  { name: "maxComputeWorkgroupSizeX", need: WORKGROUP_MAX_X, takeAdapterMax: false },
  { name: "maxComputeWorkgroupSizeY", need: WORKGROUP_MAX_Y, takeAdapterMax: false },
  { name: "maxComputeWorkgroupStorageSize", need: WORKGROUP_STORAGE_BYTES, takeAdapterMax: false },
  { name: "maxStorageBuffersPerShaderStage", need: STORAGE_BUFFERS_PER_STAGE, takeAdapterMax: false },
  { name: "maxUniformBuffersPerShaderStage", need: UNIFORM_BUFFERS_PER_STAGE, takeAdapterMax: false },
  { name: "maxStorageBufferBindingSize", need: MIN_STORAGE_BINDING_BYTES, takeAdapterMax: true },
  { name: "maxBufferSize", need: MIN_STORAGE_BINDING_BYTES, takeAdapterMax: true },
  { name: "maxComputeWorkgroupsPerDimension", need: 65535, takeAdapterMax: false },
];

/**
 * Builds `requiredLimits` for `requestDevice`, or throws a RangeError naming every limit the adapter
 * cannot give, with its value and what we need.
 */
export function requiredLimitsFor(adapter: GPUAdapter, adapterName: string): Record<string, number> {
  const out: Record<string, number> = {};
  const missing: string[] = [];
  for (const req of LIMIT_REQUIREMENTS) {
    const have = adapter.limits[req.name] as number | undefined;
    if (have === undefined) {
      missing.push(`${req.name}: adapter does not report it, need ${req.need}`);
      continue;
    }
    if (have < req.need) {
      missing.push(`${req.name}: adapter gives ${have}, need at least ${req.need}`);
      continue;
    }
    out[req.name] = req.takeAdapterMax ? have : req.need;
  }
  if (missing.length > 0) {
    throw new RangeError(`WebGPU adapter "${adapterName}" cannot give the limits mazo's kernels need:\n  ` + missing.join("\n  "));
  }
  return out;
}
