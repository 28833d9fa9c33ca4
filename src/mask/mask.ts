/** The Mask: which entries of one rows x cols weight are trained, as an index list and a bitset. */
import { bitsetToIndices, indicesToBitset } from "./bitset.ts";
import { checkDims } from "./checks.ts";

/** Padding value of Mask.paddedIndices: never a valid flat index (rows*cols <= 2^32 - 1). */
export const MASK_PAD = 0xffffffff;

/**
 * A fixed mask over a rows x cols weight (row-major). `indices` is the ordered index list: strictly
 * ascending u32 flat indices r*cols + c, ready to upload to the GPU as is; `rowOffsets` makes it CSR
 * (row r's entries are indices[rowOffsets[r] .. rowOffsets[r+1]]). The bitset is built on first use.
 */
export class Mask {
  /** Rows of the weight (outputs). */
  readonly rows: number;
  /** Columns of the weight (inputs). */
  readonly cols: number;
  /** Strictly ascending flat indices r*cols + c of the kept entries. Do not modify. */
  readonly indices: Uint32Array;
  /** Kept entries per row, (rows). */
  readonly rowCounts: Uint32Array;
  /** Start of each row's entries in `indices`, (rows + 1); rowOffsets[rows] = count. */
  readonly rowOffsets: Uint32Array;
  #bitset: Uint32Array | undefined;

  /**
   * Wraps an index list (not copied). RangeError unless it is strictly ascending and below rows*cols.
   */
  constructor(rows: number, cols: number, indices: Uint32Array) {
    checkDims("Mask", rows, cols);
    const size = rows * cols;
    const counts = new Uint32Array(rows);
    let prev = -1;
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j]!;
      if (i <= prev) throw new RangeError(`Mask: indices[${j}] is ${i} after ${prev}; indices must be strictly ascending`);
      if (i >= size) throw new RangeError(`Mask: indices[${j}] is ${i}; it must be below rows*cols = ${rows}*${cols} = ${size}`);
      const r = Math.floor(i / cols);
      counts[r] = counts[r]! + 1;
      prev = i;
    }
    const offsets = new Uint32Array(rows + 1);
    for (let r = 0; r < rows; r++) offsets[r + 1] = offsets[r]! + counts[r]!;
    this.rows = rows;
    this.cols = cols;
    this.indices = indices;
    this.rowCounts = counts;
    this.rowOffsets = offsets;
  }

  /** The mask whose kept entries are the set bits of `bitset` (ceil(rows*cols / 32) words; kept as its bitset). */
  static fromBitset(rows: number, cols: number, bitset: Uint32Array): Mask {
    checkDims("Mask.fromBitset", rows, cols);
    const m = new Mask(rows, cols, bitsetToIndices(bitset, rows * cols));
    m.#bitset = bitset;
    return m;
  }

  /** Elements of the weight, rows*cols. */
  get size(): number {
    return this.rows * this.cols;
  }

  /** Kept entries in the whole tensor. */
  get count(): number {
    return this.indices.length;
  }

  /** Kept fraction count / size (0 for an empty weight). */
  get density(): number {
    return this.size === 0 ? 0 : this.count / this.size;
  }

  /** The mask as a bitset: ceil(size / 32) u32 words, entry i is bit (i & 31) of word i >> 5. Do not modify. */
  get bitset(): Uint32Array {
    this.#bitset ??= indicesToBitset(this.indices, this.size);
    return this.#bitset;
  }

  /** Whether entry (row, col) is kept. RangeError outside the weight. */
  has(row: number, col: number): boolean {
    if (!Number.isInteger(row) || row < 0 || row >= this.rows || !Number.isInteger(col) || col < 0 || col >= this.cols) {
      throw new RangeError(`Mask.has: (${row}, ${col}) is outside the ${this.rows}x${this.cols} weight`);
    }
    const i = row * this.cols + col;
    return ((this.bitset[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  /** Ascending kept columns of `row` (a new array). */
  rowColumns(row: number): Uint32Array {
    if (!Number.isInteger(row) || row < 0 || row >= this.rows) throw new RangeError(`Mask.rowColumns: row is ${row}; it must be an integer in [0, ${this.rows})`);
    const seg = this.indices.subarray(this.rowOffsets[row]!, this.rowOffsets[row + 1]!);
    const base = row * this.cols;
    return seg.map((i) => i - base);
  }

  /**
   * The index list padded with MASK_PAD to a positive multiple of `multiple` entries (a new array), for GPU
   * kernels that read whole tiles and for an empty mask (a zero-size buffer cannot be bound).
   */
  paddedIndices(multiple = 1): Uint32Array {
    if (!Number.isInteger(multiple) || multiple < 1) throw new RangeError(`Mask.paddedIndices: multiple is ${multiple}; it must be a positive integer`);
    const n = Math.max(multiple, Math.ceil(this.count / multiple) * multiple);
    const out = new Uint32Array(n).fill(MASK_PAD);
    out.set(this.indices);
    return out;
  }
}
