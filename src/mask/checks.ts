/** Argument checks and error messages shared by the Wasm mask engine and its reference (src/ref/mask.ts). */

/** Row normalisation modes; see normaliseRows in engine.ts. */
export type RowNorm = "none" | "sum" | "max" | "zscore";

/** The modes, in the order of their numeric codes in assembly/mask/normalise.ts. */
export const ROW_NORMS: readonly RowNorm[] = ["none", "sum", "max", "zscore"];

/** Largest rows*cols a mask may have: flat indices r*cols + c are u32, and 0xffffffff is left free as padding. */
export const MAX_MASK_SIZE = 2 ** 32 - 1;

/** Numeric code of a mode; TypeError on anything else. */
export function rowNormCode(fn: string, mode: string): number {
  const i = (ROW_NORMS as readonly string[]).indexOf(mode);
  if (i < 0) throw new TypeError(`${fn}: mode is ${JSON.stringify(mode)}; it must be one of ${ROW_NORMS.map((m) => JSON.stringify(m)).join(", ")}`);
  return i;
}

/** Asserts rows and cols are non-negative integers with rows*cols <= MAX_MASK_SIZE. */
export function checkDims(fn: string, rows: number, cols: number): void {
  for (const [name, v] of [["rows", rows], ["cols", cols]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${fn}: ${name} is ${v}; it must be a non-negative integer`);
  }
  if (rows * cols > MAX_MASK_SIZE) throw new RangeError(`${fn}: rows*cols is ${rows}*${cols} = ${rows * cols}; it must be at most 2^32 - 1 (flat indices are u32)`);
}

/** Asserts `scores` holds rows*cols values. */
export function checkScores(fn: string, name: string, scores: Float32Array, rows: number, cols: number): void {
  if (scores.length !== rows * cols) {
    throw new RangeError(`${fn}: ${name} has ${scores.length} elements; expected rows*cols = ${rows}*${cols} = ${rows * cols}`);
  }
}

/** The error for a NaN score met by top-k selection. */
export function nanScoreError(fn: string, row: number, col: number): Error {
  return new Error(`${fn}: score at row ${row}, column ${col} is NaN; scores must not be NaN (+-Infinity are allowed)`);
}

/** The error for a non-finite score met by normalisation; `task` is undefined for a single matrix. */
export function nonFiniteScoreError(fn: string, task: number | undefined, row: number, col: number, value: number): Error {
  const what = task === undefined ? "score" : `task ${task} score`;
  return new Error(`${fn}: ${what} at row ${row}, column ${col} is ${value}; scores to normalise must be finite`);
}
