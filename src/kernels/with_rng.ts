/** The one place shaders/rng.wgsl is joined into kernels: its functions prepended to a kernel's WGSL. */
import { WGSL } from "../gen/shaders.ts";

/** `kernel` WGSL with the seeded-perturbation functions of shaders/rng.wgsl (rng_z, ...) in front. */
export function withRng(kernel: string): string {
  return `${WGSL.rng}\n${kernel}`;
}
