/**
 * MaZO per-task importance scores of one linear weight W (rows = outputs i, cols = inputs j), from the
 * weight and the task's calibration norms xn_j = ||X^t_j||_2 only (row-wise, no backprop):
 *
 *   S^t_ij = S_global + a * S_greedy + b * S_mag
 *   S_global_ij = |W_ij| * xn_j                      Wanda / OBS saliency with diagonal Hessian X Xᵀ
 *   S_greedy_ij = rbar_i * xn_j, rbar_i = mean_j |W_ij|   expected one-step ZO loss reduction (docs/mazo.md)
 *   S_mag_ij    = |W_ij| * xbar,  xbar = mean_j xn_j     |W| in S_global's units, so b is dimensionless
 *
 * S_greedy: under a ZO-SGD step restricted to a mask M the expected first-order loss decrease is
 * lr * sum_{ij in M} g_ij^2, additive over entries, so the greedy per-entry score is E[g_ij^2]. With
 * g_ij = sum_t delta_i(t) x_j(t) and the output gradients delta_i independent of the inputs with a
 * per-row scale sigma_i, E[g_ij^2] = sigma_i^2 ||X_j||^2: within a row the order is that of xn_j, and
 * sqrt gives sigma_i * xn_j. sigma_i is unknown without backprop; rbar_i stands in for it, putting the
 * term in S_global's units. Every term is computed in float64 and rounded to f32 once.
 */

/** The score coefficients. */
export interface ScoreCoefficients {
  /** Weight of S_greedy (default SCORE_DEFAULTS.a; 0 gives Wanda). */
  readonly a?: number;
  /** Weight of S_mag (default SCORE_DEFAULTS.b). */
  readonly b?: number;
}

/** Default coefficients (docs/mazo.md explains the choice). */
export const SCORE_DEFAULTS = { a: 0.5, b: 0 } as const;

function coefficient(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`taskScores: ${name} is ${v}; it must be a finite number >= 0`);
  return v;
}

/**
 * S^t of one weight for one task: (rows*cols) f32, row-major like W.
 *
 * @param w (rows, cols) the weight.
 * @param xn (cols) the task's ||X^t_j||_2.
 */
export function taskScores(w: Float32Array, rows: number, cols: number, xn: Float32Array, coef: ScoreCoefficients = {}): Float32Array {
  const a = coefficient("a", coef.a ?? SCORE_DEFAULTS.a);
  const b = coefficient("b", coef.b ?? SCORE_DEFAULTS.b);
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 1) throw new RangeError(`taskScores: rows ${rows}, cols ${cols}; expected non-negative rows and positive cols`);
  if (w.length !== rows * cols) throw new RangeError(`taskScores: w has ${w.length} elements; expected rows*cols = ${rows}*${cols}`);
  if (xn.length !== cols) throw new RangeError(`taskScores: the input norms have ${xn.length} elements; expected cols = ${cols}`);
  let xbar = 0;
  for (let j = 0; j < cols; j++) {
    const v = xn[j]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`taskScores: input norm ${j} is ${v}; norms must be finite and >= 0`);
    xbar += v;
  }
  xbar /= cols;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r0 = i * cols;
    let rbar = 0;
    for (let j = 0; j < cols; j++) rbar += Math.abs(w[r0 + j]!);
    rbar /= cols;
    for (let j = 0; j < cols; j++) {
      const m = Math.abs(w[r0 + j]!);
      out[r0 + j] = m * xn[j]! + a * rbar * xn[j]! + b * m * xbar;
    }
  }
  return out;
}
