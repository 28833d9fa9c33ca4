/**
 * Plain references for the seeded MeZO/MaZO perturbation kernels (shaders/perturb*.wgsl), and the host
 * helpers that build their tables. Every float operation is rounded to f32 once, in the order the WGSL
 * does it, so the kernels match these functions bit for bit (see docs/rng.md).
 *
 * Legend: an arena is one f32 buffer of `elems` elements holding parts of several tensors. The parameter
 * store describes it by a segments table, 4 u32 per segment: tensorId, startElem (in the arena), count,
 * firstIndex (flat index within the tensor of the segment's first element). The kernels read a packed
 * table of SEG_WORDS u32 per segment, sorted by startElem: tensorId, startElem, count, firstIndex, flags
 * (SEG_DECAY: weight decay applies), gridExp (i32, exact mode), 0, 0.
 */
import { zInt, Z_MAX, Z_SCALE } from "./rng.ts";

/** u32 words per packed segment. */
export const SEG_WORDS = 8;
/** Packed-segment flag: weight decay applies to this tensor (matrices). */
export const SEG_DECAY = 1;
/** Grid-mode status bit: a perturbed |q| exceeded 2^24, so that step may not restore exactly. */
export const GRID_PERTURB_OVERFLOW = 1;
/** Grid-mode status bit: an updated |q| exceeded 2^24. */
export const GRID_UPDATE_OVERFLOW = 2;
/** Grid-mode status bit: an element was off its grid when perturbed (quantize the arena first). */
export const GRID_OFF_GRID = 4;
/** Smallest and largest grid exponent accepted (keeps every 2^e a normal f32). */
export const GRID_EXP_MIN = -100;
export const GRID_EXP_MAX = 100;

/** Per-tensor settings of the ZO step. */
export interface ZoTensorOptions {
  /** Whether weight decay applies to tensor `id` (default: none). */
  readonly decay?: (tensorId: number) => boolean;
  /** Grid exponent g of tensor `id` for the exact mode (values on multiples of 2^g; default 0). */
  readonly gridExp?: (tensorId: number) => number;
}

const f = Math.fround;

/**
 * Validates a segments table (4 u32 per segment) against an arena of `elems` elements and packs it for
 * the kernels: segments with count 0 are dropped, the rest sorted by startElem, which must not overlap.
 */
export function packSegments(segments: Uint32Array, elems: number, options: ZoTensorOptions = {}): Uint32Array {
  if (segments.length % 4 !== 0) throw new RangeError(`packSegments: segments has ${segments.length} words; it needs 4 per segment`);
  if (!Number.isInteger(elems) || elems < 0 || elems >= 2 ** 32) throw new RangeError(`packSegments: elems must be a u32, got ${elems}`);
  const order: number[] = [];
  for (let s = 0; s < segments.length / 4; s++) if (segments[4 * s + 2]! > 0) order.push(s);
  order.sort((a, b) => segments[4 * a + 1]! - segments[4 * b + 1]!);
  const out = new Uint32Array(order.length * SEG_WORDS);
  let end = 0;
  order.forEach((s, r) => {
    const [id, start, count, first] = [segments[4 * s]!, segments[4 * s + 1]!, segments[4 * s + 2]!, segments[4 * s + 3]!];
    if (start < end) throw new RangeError(`packSegments: segment ${s} (tensor ${id}) starts at element ${start}, inside the previous segment ending at ${end}`);
    if (start + count > elems) throw new RangeError(`packSegments: segment ${s} (tensor ${id}) ends at element ${start + count}, past the arena's ${elems}`);
    if (first + count > 2 ** 32) throw new RangeError(`packSegments: segment ${s} (tensor ${id}) indices ${first}..${first + count} exceed u32`);
    end = start + count;
    const g = options.gridExp?.(id) ?? 0;
    if (!Number.isInteger(g) || g < GRID_EXP_MIN || g > GRID_EXP_MAX) throw new RangeError(`packSegments: gridExp of tensor ${id} must be an integer in [${GRID_EXP_MIN}, ${GRID_EXP_MAX}], got ${g}`);
    out.set([id, start, count, first, options.decay?.(id) === true ? SEG_DECAY : 0, g >>> 0, 0, 0], r * SEG_WORDS);
  });
  return out;
}

/** Packed-table row (segment number) holding arena element i, or -1 (padding), as the kernels search. */
export function segmentOf(table: Uint32Array, i: number): number {
  const nseg = table.length / SEG_WORDS;
  if (nseg === 0) return -1;
  let lo = 0, hi = nseg;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (table[mid * SEG_WORDS + 1]! <= i) lo = mid;
    else hi = mid;
  }
  const start = table[lo * SEG_WORDS + 1]!;
  return i >= start && i - start < table[lo * SEG_WORDS + 2]! ? lo : -1;
}

/** zInt of arena element i, held by packed-table row s: drawn at (seed, its tensor, its index within it). */
function segmentZInt(table: Uint32Array, s: number, i: number, seed: number): number {
  const b = s * SEG_WORDS;
  return zInt(seed, table[b]!, table[b + 3]! + i - table[b + 1]!);
}

/** Arena element i (row s) after the step: f32 (theta - coef*z) - decay*theta, decay where row s is flagged. */
function updatedValue(theta: Float32Array, table: Uint32Array, s: number, i: number, seed: number, coef: number, decay: number): number {
  const z = segmentZInt(table, s, i, seed) * Z_SCALE;
  const t = theta[i]!;
  const v = f(t - f(coef * z));
  return (table[s * SEG_WORDS + 4]! & SEG_DECAY) !== 0 && decay !== 0 ? f(v - f(decay * t)) : v;
}

/** theta = (theta - coef*z) - decay*theta (decay where flagged) on every segment element, in place. */
export function updateArenaRef(theta: Float32Array, table: Uint32Array, seed: number, coef: number, decay: number): void {
  const c = f(coef), d = f(decay);
  for (let i = 0; i < theta.length; i++) {
    const s = segmentOf(table, i);
    if (s >= 0) theta[i] = updatedValue(theta, table, s, i, seed, c, d);
  }
}

/** theta += scale*z on every segment element, in place (as updateArenaRef with coef = -scale). */
export function perturbArenaRef(theta: Float32Array, table: Uint32Array, seed: number, scale: number): void {
  updateArenaRef(theta, table, seed, -scale, 0);
}

/** Rounds to the nearest integer, ties to even (WGSL round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Exact mode, perturbation: q += k * round(N * eps * 2^(-11-g)) with theta = q * 2^g. Returns the status
 * bits the kernel would set (GRID_*).
 */
export function gridPerturbRef(theta: Float32Array, table: Uint32Array, seed: number, eps: number, k: number): number {
  const a = f(eps);
  let status = 0;
  for (let i = 0; i < theta.length; i++) {
    const s = segmentOf(table, i);
    if (s < 0) continue;
    const g = table[s * SEG_WORDS + 5]! | 0;
    const n = segmentZInt(table, s, i, seed);
    const qf = f(theta[i]! * 2 ** -g);
    const q = Math.trunc(qf);
    if (q !== qf) status |= GRID_OFF_GRID;
    const d = roundHalfEven(f(n * f(a * 2 ** (-11 - g))));
    const qn = q + k * d;
    if (Math.abs(qn) > 2 ** 24) status |= GRID_PERTURB_OVERFLOW;
    theta[i] = f(f(qn) * 2 ** g);
  }
  return status;
}

/**
 * Exact mode, update: theta = round(((theta - coef*z) - decay*theta) * 2^-g) * 2^g; with coef = decay = 0
 * it quantises theta onto each tensor's grid. Returns the status bits the kernel would set.
 */
export function gridUpdateRef(theta: Float32Array, table: Uint32Array, seed: number, coef: number, decay: number): number {
  const a = f(coef), dc = f(decay);
  let status = 0;
  for (let i = 0; i < theta.length; i++) {
    const s = segmentOf(table, i);
    if (s < 0) continue;
    const g = table[s * SEG_WORDS + 5]! | 0;
    const v = updatedValue(theta, table, s, i, seed, a, dc);
    const r = roundHalfEven(f(v * 2 ** -g));
    if (Math.abs(r) > 2 ** 24) status |= GRID_UPDATE_OVERFLOW;
    theta[i] = f(r * 2 ** g);
  }
  return status;
}

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

/**
 * Arena positions of a mask: for each tensor (in map order) its sorted flat indices are mapped through
 * the packed table to positions in the arena. RangeError for unsorted, duplicate or uncovered indices.
 */
export function maskPositions(table: Uint32Array, masks: ReadonlyMap<number, Uint32Array>): Uint32Array {
  const byTensor = new Map<number, number[]>();
  for (let s = 0; s < table.length / SEG_WORDS; s++) {
    const id = table[s * SEG_WORDS]!;
    const list = byTensor.get(id) ?? [];
    list.push(s);
    byTensor.set(id, list);
  }
  let total = 0;
  for (const idx of masks.values()) total += idx.length;
  const out = new Uint32Array(total);
  let w = 0;
  for (const [id, idx] of masks) {
    const segs = (byTensor.get(id) ?? []).slice().sort((a, b) => table[a * SEG_WORDS + 3]! - table[b * SEG_WORDS + 3]!);
    let r = 0;
    for (let j = 0; j < idx.length; j++) {
      const x = idx[j]!;
      if (j > 0 && x <= idx[j - 1]!) throw new RangeError(`maskPositions: tensor ${id}'s indices must be strictly increasing; index ${j} is ${x} after ${idx[j - 1]}`);
      while (r < segs.length && table[segs[r]! * SEG_WORDS + 3]! + table[segs[r]! * SEG_WORDS + 2]! <= x) r++;
      const b = (segs[r] ?? -1) * SEG_WORDS;
      if (r >= segs.length || x < table[b + 3]!) throw new RangeError(`maskPositions: tensor ${id} index ${x} lies in no segment of this arena`);
      out[w++] = table[b + 1]! + (x - table[b + 3]!);
    }
  }
  return out;
}

/** theta = (theta - coef*z) - decay*theta at the listed arena positions only, in place. */
export function updateMaskedRef(theta: Float32Array, table: Uint32Array, positions: Uint32Array, seed: number, coef: number, decay: number): void {
  const c = f(coef), d = f(decay);
  for (const i of positions) {
    const s = segmentOf(table, i);
    if (s >= 0) theta[i] = updatedValue(theta, table, s, i, seed, c, d);
  }
}

/** theta += scale*z at the listed arena positions only, in place. */
export function perturbMaskedRef(theta: Float32Array, table: Uint32Array, positions: Uint32Array, seed: number, scale: number): void {
  updateMaskedRef(theta, table, positions, seed, -scale, 0);
}

/** The values at the listed positions (what saveMasked stores). */
export function saveMaskedRef(theta: Float32Array, positions: Uint32Array): Float32Array {
  return Float32Array.from(positions, (i) => theta[i]!);
}

/** Writes saved values back to the listed positions (what restoreMasked does). */
export function restoreMaskedRef(theta: Float32Array, positions: Uint32Array, saved: Float32Array): void {
  positions.forEach((i, j) => {
    theta[i] = saved[j]!;
  });
}
