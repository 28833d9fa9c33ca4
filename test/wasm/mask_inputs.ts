/** Score matrices for the mask tests: plain normals, heavy ties, clustered floats and special values. */
import { type Rng, TEST_SEED } from "../harness/random.ts";

/** Kinds of score matrix; each stresses a different part of the radix select. */
export type ScoreKind = "normal" | "ties" | "clustered" | "specials";

/**
 * rows*cols scores of a kind:
 * - normal: N(0, 1), with negative and positive values;
 * - ties: integers in [-2, 2] (so most of each row ties), with -0 and +0 mixed;
 * - clustered: 1 + a few ulps and -1 - a few ulps, so keys share their top 11 or 22 bits (all three radix levels);
 * - specials: normals with about 5% each of +Infinity, -Infinity, -0 and +0.
 */
export function scores(rng: Rng, kind: ScoreKind, rows: number, cols: number): Float32Array {
  const n = rows * cols;
  const s = new Float32Array(n);
  const bits = new Uint32Array(s.buffer);
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case "normal":
        s[i] = rng.normal();
        break;
      case "ties": {
        const v = rng.int(-2, 2);
        s[i] = v === 0 && rng.next() < 0.5 ? -0 : v;
        break;
      }
      case "clustered": {
        // 0x3f800000 is 1.0: vary the low 14 bits (levels 2 and 3) and rarely bit 12-ish of level 1.
        const span = rng.next() < 0.5 ? 1 << 6 : 1 << 14;
        bits[i] = (0x3f800000 + rng.int(0, span - 1)) | (rng.next() < 0.2 ? 0x80000000 : 0);
        break;
      }
      case "specials": {
        const u = rng.next();
        s[i] = u < 0.05 ? Infinity : u < 0.1 ? -Infinity : u < 0.15 ? -0 : u < 0.2 ? 0 : rng.normal();
        break;
      }
    }
  }
  return s;
}

/** Throws with the first differing position unless a and b are equal element for element (Object.is). */
export function assertSameArray(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, expected ${want.length} (seed ${TEST_SEED})`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) {
      throw new Error(`${label}: first difference at [${i}]: got ${got[i]}, expected ${want[i]} (of ${got.length}; seed ${TEST_SEED})`);
    }
  }
}
