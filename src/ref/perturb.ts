/**
 * Plain references for the seeded MeZO/MaZO perturbation kernels (shaders/perturb*.wgsl) and for the
 * host tables they read. Every float operation is rounded to f32 once, in the order the WGSL does it,
 * so the kernels match these functions bit for bit (see docs/rng.md).
 *
 * This file shares no code with production: it builds the packed segment table, the mask positions
 * and the grid exponents with its own (slower, simpler) code, and the tests compare production's tables
 * (src/zo/segments.ts, src/zo/grid.ts) and the kernels' results against these.
 *
 * Legend: an arena is one f32 buffer of `elems` elements holding parts of several tensors, described by
 * segments of 4 u32: tensorId, startElem (in the arena), count, firstIndex (flat index within the tensor
 * of the segment's first element). The kernels read a packed table of 8 u32 per segment, sorted by
 * startElem: tensorId, startElem, count, firstIndex, flags (bit 0: weight decay applies), gridExp (i32,
 * exact mode), 0, 0.
 */
import { roundUniform, Z_MAX, Z_SCALE, zInt } from "./rng.ts";

/** u32 words per packed segment (the kernels' layout). */
const ROW = 8;
/** Flag bit of word 4: weight decay applies. */
const DECAY_FLAG = 1;
/** Exact-mode status bits (the kernels' contract): perturbed |q| > 2^24, updated |q| > 2^24, off-grid. */
export const REF_GRID_PERTURB_OVERFLOW = 1;
export const REF_GRID_UPDATE_OVERFLOW = 2;
export const REF_GRID_OFF_GRID = 4;
/** Grid exponents are clamped to [-100, 100] (every 2^g a normal f32). */
const GRID_MIN = -100;
const GRID_MAX = 100;
/** |q| limit of the grid: f32 holds every integer up to 2^24. */
const Q_LIMIT = 2 ** 24;

/** Per-tensor settings (as in production's ZoTensorOptions). */
export interface RefTensorOptions {
  readonly decay?: (tensorId: number) => boolean;
  readonly gridExp?: (tensorId: number) => number;
}

const f = Math.fround;

/** One segment of a packed table, unpacked. */
interface Row {
  readonly id: number;
  readonly start: number;
  readonly count: number;
  readonly first: number;
  readonly decays: boolean;
  readonly g: number;
}

function rowAt(table: Uint32Array, r: number): Row {
  const b = r * ROW;
  return { id: table[b]!, start: table[b + 1]!, count: table[b + 2]!, first: table[b + 3]!, decays: (table[b + 4]! & DECAY_FLAG) !== 0, g: table[b + 5]! | 0 };
}

function rowsOf(table: Uint32Array): Row[] {
  const rows: Row[] = [];
  for (let r = 0; r < table.length / ROW; r++) rows.push(rowAt(table, r));
  return rows;
}

/**
 * Packs a segments table (4 u32 per segment) for an arena of `elems` elements: empty segments dropped,
 * the rest sorted by startElem; RangeError for overlaps, segments past the arena or bad grid exponents.
 */
export function packSegmentsRef(segments: Uint32Array, elems: number, options: RefTensorOptions = {}): Uint32Array {
  if (segments.length % 4 !== 0) throw new RangeError(`packSegmentsRef: ${segments.length} words is not 4 per segment`);
  const list: { id: number; start: number; count: number; first: number }[] = [];
  for (let s = 0; s * 4 < segments.length; s++) {
    const seg = { id: segments[4 * s]!, start: segments[4 * s + 1]!, count: segments[4 * s + 2]!, first: segments[4 * s + 3]! };
    if (seg.count === 0) continue;
    if (seg.start + seg.count > elems) throw new RangeError(`packSegmentsRef: segment ${s} ends past the arena's ${elems} elements`);
    if (seg.first + seg.count > 2 ** 32) throw new RangeError(`packSegmentsRef: segment ${s}'s indices exceed u32`);
    list.push(seg);
  }
  list.sort((a, b) => a.start - b.start);
  const out: number[] = [];
  list.forEach((seg, k) => {
    if (k > 0 && seg.start < list[k - 1]!.start + list[k - 1]!.count) throw new RangeError(`packSegmentsRef: tensor ${seg.id}'s segment overlaps the one before`);
    const g = options.gridExp === undefined ? 0 : options.gridExp(seg.id);
    if (!Number.isInteger(g) || g < GRID_MIN || g > GRID_MAX) throw new RangeError(`packSegmentsRef: gridExp ${g} of tensor ${seg.id} out of range`);
    const flags = options.decay !== undefined && options.decay(seg.id) ? DECAY_FLAG : 0;
    out.push(seg.id, seg.start, seg.count, seg.first, flags, g < 0 ? g + 2 ** 32 : g, 0, 0);
  });
  return Uint32Array.from(out);
}

/** Packed-table row holding arena element i, or -1 (padding), by a linear scan. */
export function segmentOf(table: Uint32Array, i: number): number {
  for (let r = 0; r < table.length / ROW; r++) {
    const row = rowAt(table, r);
    if (i >= row.start && i < row.start + row.count) return r;
  }
  return -1;
}

/** The smallest g in [-100, 100] with 2 * maxAbs + 3 * Z_MAX * eps <= 2^(g+24), found by counting up. */
export function gridExponent(maxAbs: number, eps: number): number {
  if (!(maxAbs >= 0) || !(eps >= 0) || !Number.isFinite(maxAbs + eps)) throw new RangeError(`gridExponent: maxAbs ${maxAbs} and eps ${eps} must be finite and >= 0`);
  const need = 2 * maxAbs + 3 * Z_MAX * eps;
  let g = GRID_MIN;
  while (g < GRID_MAX && 2 ** (g + 24) < need) g++;
  return g;
}

/** Rounds to the nearest integer, ties to even (WGSL round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** f32 (t - coef*z) - decay*t, the decay term only where the row decays. */
function stepValue(t: number, z: number, coef: number, decay: number, decays: boolean): number {
  const v = f(t - f(coef * z));
  return decays && decay !== 0 ? f(v - f(decay * t)) : v;
}

/** Applies fn to every element of every row: (arena position, row, index within the tensor). */
function eachElement(table: Uint32Array, fn: (i: number, row: Row, index: number) => void): void {
  for (const row of rowsOf(table)) for (let k = 0; k < row.count; k++) fn(row.start + k, row, row.first + k);
}

/** theta = (theta - coef*z) - decay*theta (decay where flagged) on every segment element, in place. */
export function updateArenaRef(theta: Float32Array, table: Uint32Array, seed: number, coef: number, decay: number): void {
  const c = f(coef), d = f(decay);
  eachElement(table, (i, row, index) => {
    theta[i] = stepValue(theta[i]!, zInt(seed, row.id, index) * Z_SCALE, c, d, row.decays);
  });
}

/** theta += scale*z on every segment element, in place (as updateArenaRef with coef = -scale). */
export function perturbArenaRef(theta: Float32Array, table: Uint32Array, seed: number, scale: number): void {
  updateArenaRef(theta, table, seed, -scale, 0);
}

/**
 * Exact mode, perturbation: q += k * round(N * eps * 2^(-11-g)) with theta = q * 2^g. Returns the status
 * bits the kernel would set.
 */
export function gridPerturbRef(theta: Float32Array, table: Uint32Array, seed: number, eps: number, k: number): number {
  const a = f(eps);
  let status = 0;
  eachElement(table, (i, row, index) => {
    const qf = f(theta[i]! * 2 ** -row.g);
    const q = Math.trunc(qf);
    if (q !== qf) status |= REF_GRID_OFF_GRID;
    const d = roundHalfEven(f(zInt(seed, row.id, index) * f(a * 2 ** (-11 - row.g))));
    const qn = q + k * d;
    if (Math.abs(qn) > Q_LIMIT) status |= REF_GRID_PERTURB_OVERFLOW;
    theta[i] = f(f(qn) * 2 ** row.g);
  });
  return status;
}

/**
 * Exact mode, update, rounded stochastically onto the grid: with s = coef*z + decay*theta (decay where
 * flagged) and q = theta / 2^g, q becomes round(q) + floor((q - round(q)) - s / 2^g + u), u the 24-bit
 * uniform of roundUniform(seed, tensor, index, coef). E[new q] = q - s / 2^g (up to 2^-24 of a step), so
 * updates below a grid step move the weights by the right amount on average. Returns the status bits.
 */
export function gridUpdateRef(theta: Float32Array, table: Uint32Array, seed: number, coef: number, decay: number): number {
  const c = f(coef), dc = f(decay);
  let status = 0;
  eachElement(table, (i, row, index) => {
    const t = theta[i]!;
    const cz = f(c * (zInt(seed, row.id, index) * Z_SCALE));
    const s = row.decays && dc !== 0 ? f(cz + f(dc * t)) : cz;
    const sg = f(s * 2 ** -row.g);
    const qf = f(t * 2 ** -row.g);
    const qi = roundHalfEven(qf);
    const x = f(f(qf - qi) - sg);
    const qn = f(qi + Math.floor(f(x + roundUniform(seed, row.id, index, c))));
    if (Math.abs(qn) > Q_LIMIT) status |= REF_GRID_UPDATE_OVERFLOW;
    theta[i] = f(qn * 2 ** row.g);
  });
  return status;
}

/** Exact mode: rounds every segment element to the nearest point of its grid (ties to even). */
export function gridQuantizeRef(theta: Float32Array, table: Uint32Array): number {
  let status = 0;
  eachElement(table, (i, row) => {
    const r = roundHalfEven(f(theta[i]! * 2 ** -row.g));
    if (Math.abs(r) > Q_LIMIT) status |= REF_GRID_UPDATE_OVERFLOW;
    theta[i] = f(r * 2 ** row.g);
  });
  return status;
}

/**
 * Arena positions of a mask: tensor id -> strictly increasing flat indices, each looked up in a map of
 * every (tensor, index) the table covers. RangeError for unsorted or uncovered indices.
 */
export function maskPositionsRef(table: Uint32Array, masks: ReadonlyMap<number, Uint32Array>): Uint32Array {
  const where = new Map<string, number>();
  for (const id of masks.keys()) eachElement(table, (i, row, index) => {
    if (row.id === id) where.set(`${id}:${index}`, i);
  });
  const out: number[] = [];
  for (const [id, idx] of masks) {
    idx.forEach((x, j) => {
      if (j > 0 && x <= idx[j - 1]!) throw new RangeError(`maskPositionsRef: tensor ${id}'s indices are not strictly increasing at ${j}`);
      const i = where.get(`${id}:${x}`);
      if (i === undefined) throw new RangeError(`maskPositionsRef: tensor ${id} index ${x} lies in no segment`);
      out.push(i);
    });
  }
  return Uint32Array.from(out);
}

/** theta = (theta - coef*z) - decay*theta at the listed arena positions only, in place. */
export function updateMaskedRef(theta: Float32Array, table: Uint32Array, positions: Uint32Array, seed: number, coef: number, decay: number): void {
  const c = f(coef), d = f(decay);
  for (const i of positions) {
    const r = segmentOf(table, i);
    if (r < 0) continue;
    const row = rowAt(table, r);
    theta[i] = stepValue(theta[i]!, zInt(seed, row.id, row.first + i - row.start) * Z_SCALE, c, d, row.decays);
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
