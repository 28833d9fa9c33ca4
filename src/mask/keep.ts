/**
 * How many entries of each row a mask keeps: an explicit k, or a keep ratio.
 *
 * Rounding: k = Math.round(keep * cols) (nearest, halves up; the product is taken in float64, so
 * 0.29 * 100 = 28.999999999999996 still gives 29), clamped to [0, cols]. With `atLeastOne`, a positive
 * keep that rounds to 0 keeps 1 entry per row (when cols > 0); keep = 0 still keeps nothing.
 */

/** A keep ratio in [0, 1], the fraction of each row's entries that the mask keeps. */
export interface KeepSpec {
  /** Fraction of each row kept, in [0, 1]. */
  readonly keep: number;
  /** Keep at least one entry per row when keep > 0 (default false). */
  readonly atLeastOne?: boolean;
}

/** Entries per row kept by ratio `keep` of `cols` columns (see the module doc for the rounding). */
export function keepToK(keep: number, cols: number, atLeastOne = false): number {
  if (!(keep >= 0 && keep <= 1)) throw new RangeError(`keepToK: keep is ${keep}; it must be a number in [0, 1]`);
  if (!Number.isInteger(cols) || cols < 0) throw new RangeError(`keepToK: cols is ${cols}; it must be a non-negative integer`);
  const k = Math.min(cols, Math.max(0, Math.round(keep * cols)));
  return atLeastOne && keep > 0 && cols > 0 ? Math.max(1, k) : k;
}

/** Resolves an explicit k (an integer in [0, cols]) or a KeepSpec to k; `fn` names the caller in errors. */
export function resolveK(fn: string, k: number | KeepSpec, cols: number): number {
  if (typeof k !== "number") return keepToK(k.keep, cols, k.atLeastOne ?? false);
  if (!Number.isInteger(k) || k < 0 || k > cols) {
    throw new RangeError(`${fn}: k is ${k}; it must be an integer in [0, ${cols}] (the row length)`);
  }
  return k;
}
