/**
 * Plain-loop references for the mask engine (src/mask/engine.ts): per-row top-k by a full sort of each
 * row, and row normalisation with float64 statistics. Same semantics, same errors; the normalisation
 * repeats the Wasm's float operations in the same order, so its output is bit-identical.
 */
import { checkDims, checkScores, nanScoreError, nonFiniteScoreError, type RowNorm, rowNormCode } from "../mask/checks.ts";
import { type KeepSpec, resolveK } from "../mask/keep.ts";

/** Reference rowTopK: sorts each row's columns by (score descending, column ascending) and keeps the first k. */
export function rowTopKRef(scores: Float32Array, rows: number, cols: number, k: number | KeepSpec): Uint32Array {
  const fn = "rowTopK";
  checkDims(fn, rows, cols);
  checkScores(fn, "scores", scores, rows, cols);
  const kk = resolveK(fn, k, cols);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) throw nanScoreError(fn, Math.floor(i / cols), i % cols);
  }
  const out = new Uint32Array(rows * kk);
  const order = new Array<number>(cols);
  for (let r = 0; r < rows; r++) {
    const row = scores.subarray(r * cols, (r + 1) * cols);
    for (let c = 0; c < cols; c++) order[c] = c;
    order.sort((a, b) => {
      const sa = row[a]!, sb = row[b]!;
      return sa > sb ? -1 : sa < sb ? 1 : a - b;
    });
    const kept = order.slice(0, kk).sort((a, b) => a - b);
    for (let j = 0; j < kk; j++) out[r * kk + j] = r * cols + kept[j]!;
  }
  return out;
}

/** Reference normaliseRows (one task, no task number in errors). */
export function normaliseRowsRef(scores: Float32Array, rows: number, cols: number, mode: RowNorm): Float32Array {
  return combineRef("normaliseRows", [scores], rows, cols, mode, false);
}

/** Reference combineTaskScores: f32(sum over tasks of f32(normalised score)), in float64. */
export function combineTaskScoresRef(list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm): Float32Array {
  return combineRef("combineTaskScores", list, rows, cols, mode, true);
}

function combineRef(fn: string, list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm, named: boolean): Float32Array {
  checkDims(fn, rows, cols);
  rowNormCode(fn, mode);
  if (list.length === 0) throw new RangeError(`${fn}: the task list is empty; it needs at least one score matrix`);
  list.forEach((s, t) => checkScores(fn, named ? `task ${t}'s scores` : "scores", s, rows, cols));
  const out = new Float32Array(rows * cols);
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < list.length; t++) {
      const row = list[t]!.subarray(r * cols, (r + 1) * cols);
      let sumAbs = 0, maxAbs = 0, sum = 0;
      for (let c = 0; c < cols; c++) {
        const s = row[c]!;
        if (!Number.isFinite(s)) throw nonFiniteScoreError(fn, named ? t : undefined, r, c, s);
        sumAbs += Math.abs(s);
        if (Math.abs(s) > maxAbs) maxAbs = Math.abs(s);
        sum += s;
      }
      let centre = 0, div = 1;
      if (mode === "sum") div = sumAbs;
      else if (mode === "max") div = maxAbs;
      else if (mode === "zscore") {
        centre = sum / cols;
        let ss = 0;
        for (let c = 0; c < cols; c++) {
          const d = row[c]! - centre;
          ss += d * d;
        }
        div = Math.sqrt(ss / cols);
      }
      for (let c = 0; c < cols; c++) {
        const s = row[c]!;
        const v = mode === "none" ? s : div === 0 ? 0 : Math.fround((s - centre) / div);
        acc[c] = t === 0 ? v : acc[c]! + v;
      }
    }
    for (let c = 0; c < cols; c++) out[r * cols + c] = acc[c]!;
  }
  return out;
}
