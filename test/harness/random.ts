/**
 * Seeded random inputs for tests. Each process draws a fresh seed (or MAZO_TEST_SEED) and failures print
 * it, so every run tries new inputs and any failure can be replayed.
 */
import process from "node:process";

/** The seed of this test process. */
export const TEST_SEED: number = process.env.MAZO_TEST_SEED !== undefined
  ? Number(process.env.MAZO_TEST_SEED)
  : Math.floor(Math.random() * 2 ** 31);

/** A small deterministic PRNG (mulberry32) with uniform and normal draws. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** n normals times `scale`, as f32. */
  normals(n: number, scale = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.normal() * scale;
    return a;
  }
}

/** A Rng for one test case, derived from the process seed and a case label. */
export function rngFor(label: string): Rng {
  let h = TEST_SEED ^ 0x9e3779b9;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return new Rng(h >>> 0);
}
