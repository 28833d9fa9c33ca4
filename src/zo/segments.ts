/**
 * The packed segment table of the perturbation kernels (shaders/segments.wgsl) and the mask positions
 * of the masked kernels, built on the host.
 *
 * Legend: an arena is one f32 buffer of `elems` elements holding parts of several tensors. The parameter
 * store describes it by a segments table, 4 u32 per segment: tensorId, startElem (in the arena), count,
 * firstIndex (flat index within the tensor of the segment's first element). The kernels read a packed
 * table of SEG_WORDS u32 per segment, sorted by startElem: tensorId, startElem, count, firstIndex, flags
 * (SEG_DECAY: weight decay applies), gridExp (i32, exact mode), 0, 0. src/ref/perturb.ts builds the same
 * tables with its own code; the GPU tests compare the two.
 */
import { GRID_EXP_MAX, GRID_EXP_MIN } from "./grid.ts";

/** u32 words per packed segment. */
export const SEG_WORDS = 8;
/** Packed-segment flag: weight decay applies to this tensor (matrices). */
export const SEG_DECAY = 1;

/** Per-tensor settings of the ZO step. */
export interface ZoTensorOptions {
  /** Whether weight decay applies to tensor `id` (default: none). */
  readonly decay?: (tensorId: number) => boolean;
  /** Grid exponent g of tensor `id` for the exact mode (values on multiples of 2^g; default 0). */
  readonly gridExp?: (tensorId: number) => number;
}

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
