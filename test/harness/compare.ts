/**
 * Tolerance comparison with a readable failure: |actual - expected| <= atol + rtol * |expected| for
 * every element, else an Error whose message is a table of the worst mismatches with their indices.
 */
import { TEST_SEED } from "./random.ts";

export interface CloseOptions {
  readonly atol: number;
  readonly rtol: number;
  /** Logical shape, to print multi-dimensional indices. */
  readonly shape?: readonly number[];
  /** What is being compared, e.g. "matmul 17x33x65". */
  readonly label: string;
  /** Rows of the mismatch table (default 8). */
  readonly show?: number;
}

function unravel(i: number, shape: readonly number[] | undefined): string {
  if (shape === undefined || shape.length <= 1) return String(i);
  const idx: number[] = [];
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]!);
    r = Math.floor(r / shape[d]!);
  }
  return idx.join(",");
}

/** Throws unless actual and expected agree elementwise within atol + rtol*|expected|. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, o: CloseOptions): void {
  if (actual.length !== expected.length) {
    throw new Error(`${o.label}: length ${actual.length}, expected ${expected.length}`);
  }
  const bad: { i: number; a: number; e: number; d: number; tol: number }[] = [];
  let maxErr = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const d = Math.abs(a - e);
    const tol = o.atol + o.rtol * Math.abs(e);
    if (Number.isFinite(d)) maxErr = Math.max(maxErr, d);
    if (!(d <= tol) && !(Number.isNaN(a) && Number.isNaN(e)) && !(a === e)) bad.push({ i, a, e, d, tol });
  }
  if (bad.length === 0) return;
  bad.sort((x, y) => (y.d / y.tol || Infinity) - (x.d / x.tol || Infinity));
  const rows = bad.slice(0, o.show ?? 8).map((b) =>
    `  ${unravel(b.i, o.shape).padEnd(14)} ${fmt(b.a)} ${fmt(b.e)} ${fmt(b.d)} ${fmt(b.tol)}`
  );
  throw new Error(
    `${o.label}: ${bad.length} of ${actual.length} elements outside atol=${o.atol} rtol=${o.rtol} (seed ${TEST_SEED}, max |diff| ${maxErr.toExponential(3)})\n` +
      `  ${"index".padEnd(14)} ${"actual".padStart(13)} ${"expected".padStart(13)} ${"|diff|".padStart(13)} ${"tol".padStart(13)}\n` +
      rows.join("\n"),
  );
}

function fmt(x: number): string {
  return (Number.isFinite(x) ? x.toExponential(5) : String(x)).padStart(13);
}

/** Largest |a - b| / (|b| + floor) over all elements (for reporting measured error). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + floor));
  return m;
}
