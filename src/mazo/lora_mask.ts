/**
 * The LoRA-MaZO mask: ZO on LoRA adapters (W + B A, B (out, r), A (r, in)) with a mask over the adapter
 * parameters derived from the importance of the base weight rows they modify.
 *
 * Rule: row i of B adds only to output row i of W, so B's row i inherits the importance of W's row i:
 *   R_i = sum over tasks t of (sum_j S^t_ij) / (sum_ij S^t_ij)
 * (each task's scores from scores.ts, normalised over the whole weight so every task counts equally; a
 * within-row normalisation would make all rows equal). The top ceil-rounded keep*out rows of B are
 * trained (all r entries of each), the other rows of B stay at their initial value (zero: their adapter
 * rows contribute nothing). A mixes every input into every rank component and modifies no single base
 * row, so it is trained in full. Ties go to the lower row.
 */
import { keepToK } from "../mask/keep.ts";
import { type ScoreCoefficients, taskScores } from "./scores.ts";

/** R_i of one base weight (rows, cols) from its per-task input norms (see the module doc). float64. */
export function rowImportance(w: Float32Array, rows: number, cols: number, taskNorms: readonly Float32Array[], coef: ScoreCoefficients = {}): Float64Array {
  if (taskNorms.length === 0) throw new RangeError("rowImportance: needs the input norms of at least one task");
  const out = new Float64Array(rows);
  for (const xn of taskNorms) {
    const s = taskScores(w, rows, cols, xn, coef);
    let total = 0;
    for (const v of s) total += v;
    if (total === 0) continue;
    for (let i = 0; i < rows; i++) {
      let r = 0;
      for (let j = 0; j < cols; j++) r += s[i * cols + j]!;
      out[i] = out[i]! + r / total;
    }
  }
  return out;
}

/** The kept rows: the round(keep*rows) (at least 1) most important, ascending. */
export function keptRows(importance: Float64Array, keep: number): Uint32Array {
  const k = keepToK(keep, importance.length, true);
  const order = Array.from(importance.keys()).sort((a, b) => importance[b]! - importance[a]! || a - b);
  return Uint32Array.from(order.slice(0, k)).sort();
}

/** Flat indices into B (out, rank) of the kept rows: every rank entry of each kept row, ascending. */
export function loraBMask(rows: Uint32Array, rank: number): Uint32Array {
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`loraBMask: rank is ${rank}; it must be a positive integer`);
  const out = new Uint32Array(rows.length * rank);
  rows.forEach((r, i) => {
    for (let c = 0; c < rank; c++) out[i * rank + c] = r * rank + c;
  });
  return out;
}
