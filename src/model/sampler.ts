/**
 * Token sampling as llama2.c's run.c does it: greedy argmax (first maximum wins) at temperature 0,
 * otherwise softmax(logits / T) sampled with run.c's xorshift* generator, so `--seed` reproduces.
 */

/** run.c's random_u32/random_f32 over a 64-bit state. */
export class XorShiftStar {
  #state: bigint;
  constructor(seed: number | bigint) {
    this.#state = BigInt.asUintN(64, BigInt(seed));
    if (this.#state === 0n) this.#state = 1n;
  }
  u32(): number {
    let s = this.#state;
    s ^= s >> 12n;
    s = BigInt.asUintN(64, s ^ (s << 25n));
    s ^= s >> 27n;
    this.#state = s;
    return Number(BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn) >> 32n);
  }
  /** Uniform in [0, 1) with 24 bits, as run.c's random_f32. */
  f32(): number {
    return (this.u32() >>> 8) / 16777216.0;
  }
}

/** Index of the largest value (the first on ties). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** Samples an index from softmax(logits / temperature) with coin = rng.f32() (run.c sample_mult). */
export function sampleTemperature(logits: ArrayLike<number>, temperature: number, rng: XorShiftStar): number {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]! / temperature);
  const p = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp(logits[i]! / temperature - max);
  const coin = rng.f32();
  let cdf = 0;
  for (let i = 0; i < n; i++) {
    cdf += p[i]! / sum;
    if (coin < cdf) return i;
  }
  return n - 1;
}
