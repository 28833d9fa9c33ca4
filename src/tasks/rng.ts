/**
 * Seeded randomness for data sampling: a string hash to derive independent seeds (so adding a task
 * never changes another task's samples; its murmur3 finaliser also mixes the ZO probe seeds of
 * src/zo/seeds.ts) and mulberry32, a 32-bit generator built from integer ops only, so the same seed
 * gives the same draws on Deno, Node and browsers.
 */

/** FNV-1a over the UTF-16 code units of `parts` joined by "/", mixed with `seed`; a u32. */
export function deriveSeed(seed: number, ...parts: readonly (string | number)[]): number {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  let h = (0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 2 ** 32)) >>> 0;
  const text = parts.join("/");
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return fmix32(h); // final avalanche so nearby seeds give unrelated streams
}

/** The murmur3 32-bit finaliser: a bijective avalanche of the u32 `h` (integer math only). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a small deterministic PRNG. */
export class SeededRng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Next u32. */
  u32(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`below(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.next() * n);
  }
}

/** A seeded Fisher-Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], rng: SeededRng): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
