/**
 * Constants and host helpers of the exact (grid) mode (shaders/perturb_grid.wgsl, docs/rng.md): each
 * tensor's values are kept on multiples of 2^g (g = its grid exponent, word 5 of its packed segments)
 * with |q| = |theta / 2^g| <= 2^24, perturbations move q by integers, and updates are rounded onto the
 * grid stochastically (with a counter-based uniform), so an update smaller than a grid step still moves
 * the weights by the right amount on average while replay stays bit-exact.
 */
import { Z_MAX } from "./rng.ts";

/** Grid-mode status bit: a perturbed |q| exceeded 2^24, so that step may not restore exactly. */
export const GRID_PERTURB_OVERFLOW = 1;
/** Grid-mode status bit: an updated |q| exceeded 2^24. */
export const GRID_UPDATE_OVERFLOW = 2;
/** Grid-mode status bit: an element was off its grid when perturbed (quantize the arena first). */
export const GRID_OFF_GRID = 4;
/** Smallest grid exponent accepted (keeps every 2^e a normal f32). */
export const GRID_EXP_MIN = -100;
/** Largest grid exponent accepted. */
export const GRID_EXP_MAX = 100;
/**
 * Counter word 2 of the Philox call that draws the rounding uniform of an exact-mode update:
 * counter (index, tensorId, GRID_ROUND_STREAM, bits of f32 coef), key (seed, 0). z uses word 2 = 0 and
 * random mask scores (src/mazo/masks.ts) 1, so the three streams never share a counter.
 */
export const GRID_ROUND_STREAM = 2;

/**
 * The grid exponent for a tensor whose values stay within maxAbs, perturbed with eps at most: the
 * smallest g with 2 * maxAbs + 3 * Z_MAX * eps <= 2^(g+24), i.e. 2x headroom for growth of the weights
 * during training plus the largest +eps, -2eps excursion. The grid step 2^g is then at most about
 * 4 * maxAbs * 2^-24 (f32's own spacing near the largest value, up to 4x coarser).
 */
export function gridExponent(maxAbs: number, eps: number): number {
  if (!(maxAbs >= 0) || !(eps >= 0) || !Number.isFinite(maxAbs + eps)) throw new RangeError(`gridExponent: maxAbs and eps must be finite and >= 0, got ${maxAbs}, ${eps}`);
  const need = 2 * maxAbs + 3 * Z_MAX * eps;
  if (need === 0) return GRID_EXP_MIN;
  const g = Math.ceil(Math.log2(need)) - 24;
  const adj = 2 ** (g + 24) >= need ? g : g + 1;
  return Math.min(GRID_EXP_MAX, Math.max(GRID_EXP_MIN, adj));
}
