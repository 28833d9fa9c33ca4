/**
 * Probe seeds of the ZO trainer: seed_j of step t is a u32 hash of (run seed, t, j), so a run is
 * reproducible from its run seed alone and a trajectory can be checked against it. The hash is the
 * murmur3 32-bit finaliser applied to a running combination of the three words (integer math only, the
 * same on every runtime).
 */
import { fmix32 } from "../tasks/rng.ts";

function checkU32(what: string, x: number): void {
  if (!Number.isInteger(x) || x < 0 || x >= 2 ** 32) throw new RangeError(`probeSeed: ${what} must be an integer in [0, 2^32), got ${x}`);
}

/** The seed of probe `probe` of step `step` in a run seeded with `runSeed` (all u32). */
export function probeSeed(runSeed: number, step: number, probe: number): number {
  checkU32("run seed", runSeed);
  checkU32("step", step);
  checkU32("probe", probe);
  let h = fmix32(runSeed ^ 0x9e3779b9);
  h = fmix32((h + Math.imul(step, 0x85ebca77)) >>> 0 ^ 0x27d4eb2f);
  h = fmix32((h + Math.imul(probe + 1, 0xc2b2ae3d)) >>> 0 ^ 0x165667b1);
  return h;
}
