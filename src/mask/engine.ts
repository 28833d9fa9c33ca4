/**
 * The mask engine: per-row top-k selection and row-normalised combination of task scores, run in Wasm
 * (assembly/mask) with the buffers copied in and out in blocks of rows, so Wasm memory stays small
 * whatever the weight's size. One engine owns one Wasm instance; it is not safe to share across workers.
 *
 * Semantics (the reference src/ref/mask.ts implements the same with plain loops):
 * - Selection order: larger score first; equal scores, including -0 and +0, by lower column first.
 *   +-Infinity are allowed (largest / smallest); a NaN score throws an Error naming its row and column
 *   (the first NaN in row-major order), whatever k is.
 * - k: an integer in [0, cols], or a KeepSpec ratio (rounding in keep.ts). Every row keeps exactly k.
 * - Normalisation (per row, per task): "none" s; "sum" s / sum|s|; "max" s / max|s|; "zscore"
 *   (s - mean) / std with the population std. Statistics in float64, each normalised value rounded to
 *   f32; a zero divisor gives a row of zeros. Scores to normalise must be finite (NaN or +-Infinity
 *   throws, naming the task, row and column of the first one in (row, task, column) order).
 * - Combination: f32(sum over tasks, in order, of the f32 normalised scores), summed in float64.
 */
import { checkDims, checkScores, nanScoreError, nonFiniteScoreError, type RowNorm, rowNormCode } from "./checks.ts";
import { type KeepSpec, resolveK } from "./keep.ts";
import { Mask } from "./mask.ts";
import { instantiateMaskWasm, type MaskExports } from "./wasm.ts";

/** Elements copied into Wasm per call (scores of all tasks plus outputs); a row is never split. */
export const MASK_BLOCK_ELEMS = 1 << 20;

const RADIX_BINS = 2048;

/** Options of loadMaskEngine. */
export interface MaskEngineOptions {
  /** Elements copied into Wasm per call (default MASK_BLOCK_ELEMS); small values test the blocking. */
  readonly blockElems?: number;
}

/** Loads a mask engine (a fresh Wasm instance). */
export async function loadMaskEngine(options: MaskEngineOptions = {}): Promise<MaskEngine> {
  return new MaskEngine(await instantiateMaskWasm(), options);
}

/** Per-row top-k selection and task-score combination in Wasm; see the module doc for the semantics. */
export class MaskEngine {
  readonly #wasm: MaskExports;
  readonly #base: number;
  readonly #blockElems: number;

  /** Wraps an instance from instantiateMaskWasm(); prefer loadMaskEngine(). */
  constructor(wasm: MaskExports, options: MaskEngineOptions = {}) {
    const blockElems = options.blockElems ?? MASK_BLOCK_ELEMS;
    if (!Number.isInteger(blockElems) || blockElems < 1) throw new RangeError(`MaskEngine: blockElems is ${blockElems}; it must be a positive integer`);
    this.#wasm = wasm;
    this.#base = align(wasm.heapBase(), 16);
    this.#blockElems = blockElems;
  }

  /** Bytes of Wasm linear memory now (it grows to the largest block used and stays there). */
  get memoryBytes(): number {
    return this.#wasm.memory.buffer.byteLength;
  }

  /**
   * The top k entries of each row of a rows x cols score matrix (row-major), as rows*k strictly ascending
   * flat indices r*cols + c. Throws on a NaN score (naming its row and column) and RangeError on bad sizes.
   */
  rowTopK(scores: Float32Array, rows: number, cols: number, k: number | KeepSpec): Uint32Array {
    const fn = "rowTopK";
    checkDims(fn, rows, cols);
    checkScores(fn, "scores", scores, rows, cols);
    const kk = resolveK(fn, k, cols);
    const out = new Uint32Array(rows * kk);
    if (rows === 0 || cols === 0) return out;
    const blockRows = Math.max(1, Math.floor(this.#blockElems / (cols + kk)));
    const pScores = this.#base;
    const pKeys = align(pScores + 4 * blockRows * cols, 16);
    const pCand = align(pKeys + 4 * cols, 16);
    const pHist = align(pCand + 4 * cols, 16);
    const pScratch = pHist + 4 * RADIX_BINS;
    const pOut = pScratch + 16;
    this.#ensure(pOut + 4 * blockRows * kk);
    for (let r0 = 0; r0 < rows; r0 += blockRows) {
      const n = Math.min(blockRows, rows - r0);
      const buf = this.#wasm.memory.buffer;
      new Float32Array(buf, pScores, n * cols).set(scores.subarray(r0 * cols, (r0 + n) * cols));
      const bad = this.#wasm.topkRows(pScores, n, cols, kk, pKeys, pCand, pHist, pScratch, pOut, r0 * cols);
      if (bad >= 0) throw nanScoreError(fn, r0 + Math.floor(bad / cols), bad % cols);
      out.set(new Uint32Array(buf, pOut, n * kk), r0 * kk);
    }
    return out;
  }

  /**
   * One task's scores normalised within each row (see the module doc for the modes), as a new
   * Float32Array. Throws on a non-finite score, naming its row and column.
   */
  normaliseRows(scores: Float32Array, rows: number, cols: number, mode: RowNorm): Float32Array {
    return this.#combine("normaliseRows", [scores], rows, cols, mode, false);
  }

  /**
   * The sum over tasks of each task's row-normalised scores (all rows x cols), as a new Float32Array.
   * Throws on a non-finite score, naming its task, row and column; RangeError on an empty list or bad sizes.
   */
  combineTaskScores(list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm): Float32Array {
    return this.#combine("combineTaskScores", list, rows, cols, mode, true);
  }

  /** rowTopK as a Mask. */
  selectMask(scores: Float32Array, rows: number, cols: number, k: number | KeepSpec): Mask {
    return new Mask(rows, cols, this.rowTopK(scores, rows, cols, k));
  }

  /** The Mask of the top k of each row of combineTaskScores(list, rows, cols, mode). */
  combineAndSelect(list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm, k: number | KeepSpec): Mask {
    return this.selectMask(this.combineTaskScores(list, rows, cols, mode), rows, cols, k);
  }

  #combine(fn: string, list: readonly Float32Array[], rows: number, cols: number, mode: RowNorm, named: boolean): Float32Array {
    checkDims(fn, rows, cols);
    const code = rowNormCode(fn, mode);
    if (list.length === 0) throw new RangeError(`${fn}: the task list is empty; it needs at least one score matrix`);
    list.forEach((s, t) => checkScores(fn, named ? `task ${t}'s scores` : "scores", s, rows, cols));
    const out = new Float32Array(rows * cols);
    if (rows === 0 || cols === 0) return out;
    const tasks = list.length;
    const blockRows = Math.max(1, Math.floor(this.#blockElems / (cols * (tasks + 1))));
    const pSrc = this.#base;
    const pAcc = align(pSrc + 4 * tasks * blockRows * cols, 16);
    const pOut = pAcc + 8 * cols;
    this.#ensure(pOut + 4 * blockRows * cols);
    for (let r0 = 0; r0 < rows; r0 += blockRows) {
      const n = Math.min(blockRows, rows - r0);
      const buf = this.#wasm.memory.buffer;
      const plane = n * cols;
      list.forEach((s, t) => new Float32Array(buf, pSrc + 4 * t * plane, plane).set(s.subarray(r0 * cols, r0 * cols + plane)));
      const bad = this.#wasm.combineRows(pSrc, tasks, n, cols, code, pAcc, pOut);
      if (bad >= 0) {
        const t = Math.floor(bad / plane), r = r0 + Math.floor((bad % plane) / cols), c = bad % cols;
        throw nonFiniteScoreError(fn, named ? t : undefined, r, c, list[t]![r * cols + c]!);
      }
      out.set(new Float32Array(buf, pOut, plane), r0 * cols);
    }
    return out;
  }

  /** Grows Wasm memory to at least `end` bytes. */
  #ensure(end: number): void {
    const mem = this.#wasm.memory;
    const have = mem.buffer.byteLength;
    if (end > have) mem.grow(Math.ceil((end - have) / 65536));
  }
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}
