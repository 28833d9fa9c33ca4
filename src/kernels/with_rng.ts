/**
 * The one place the shared WGSL is joined into kernels: shaders/rng.wgsl (the seeded perturbation) and,
 * for kernels over a packed segment table, shaders/segments.wgsl, prepended to a kernel's WGSL.
 */
import { WGSL } from "../gen/shaders.ts";

/** What to join besides rng.wgsl. */
export interface WithRngOptions {
  /**
   * Also prepend shaders/segments.wgsl (seg_find, seg_index, seg_step); the kernel must then declare
   * the segment table binding `segs: array<u32>` (default false).
   */
  readonly segments?: boolean;
}

/** `kernel` WGSL with the seeded-perturbation functions of shaders/rng.wgsl (rng_z, ...) in front. */
export function withRng(kernel: string, options: WithRngOptions = {}): string {
  return options.segments === true ? `${WGSL.rng}\n${WGSL.segments}\n${kernel}` : `${WGSL.rng}\n${kernel}`;
}
