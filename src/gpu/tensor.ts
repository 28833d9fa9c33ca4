/**
 * GPU tensors. A tensor of shape (R, ...rest) is stored as one or more row chunks, each its own buffer
 * holding whole rows, so that no binding exceeds the context's `bindingCap`. Most activations fit in one
 * chunk; embeddings and large matrices of big models are split. Kernels that need a tensor whole assert
 * `chunks.length === 1` through `singleChunk`.
 */
import type { GpuContext } from "./context.ts";
import type { MemoryCategory } from "./memory.ts";
import type { StorageBinding } from "./recorder.ts";

/**
 * Element types on the GPU. f32, u32 and i32 are 4 bytes wide; f16 and bf16 (weights in half precision)
 * are 2 bytes, two per u32 word, element 2i in the low 16 bits; their chunks are padded to whole words.
 */
export type DType = "f32" | "u32" | "i32" | "f16" | "bf16";

/** Host arrays matching each dtype (half types: their raw 16-bit patterns). */
export type HostArray<D extends DType> = D extends "f32" ? Float32Array : D extends "u32" ? Uint32Array : D extends "i32" ? Int32Array : Uint16Array;

/** Bytes per element of a dtype. */
export function elemBytes(d: DType): number {
  return d === "f16" || d === "bf16" ? 2 : 4;
}

/** Bytes a chunk of n elements occupies: whole 4-byte words, at least 16. */
export function chunkBytes(d: DType, n: number): number {
  return Math.max(16, Math.ceil((n * elemBytes(d)) / 4) * 4);
}

/**
 * Rows [row0, row0 + rows) of a tensor, in one buffer: bytes [offset, offset + bytes) of it. A tensor
 * that owns its buffers has offset 0 and bytes = the whole buffer (slack included); a view into a
 * parameter arena has a 256-byte-aligned offset. Bind a chunk with `chunkBinding`, never its bare buffer.
 */
export interface TensorChunk {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly bytes: number;
  readonly row0: number;
  readonly rows: number;
}

/** The storage binding of one chunk (its byte range of the buffer). */
export function chunkBinding(c: TensorChunk): StorageBinding {
  return { buffer: c.buffer, offset: c.offset, size: c.bytes };
}

/** A GPU tensor: dtype, shape and the storage chunks holding it (split when larger than one binding). */
export interface Tensor<D extends DType = DType> {
  readonly label: string;
  readonly dtype: D;
  /** Logical shape; shape[0] is the row dimension that chunks split. */
  readonly shape: readonly number[];
  /** Elements per row: product of shape[1..]. */
  readonly rowElems: number;
  readonly chunks: readonly TensorChunk[];
  readonly category: MemoryCategory;
  /** Elements after each chunk's rows that no kernel may write (tests fill them with sentinels). */
  readonly slackElems: number;
}

export interface CreateTensorOptions {
  /** Extra elements after each chunk's data (test sentinels). */
  readonly slackElems?: number;
  /** Cap on rows per chunk (default: as many as bindingCap allows). */
  readonly maxRowsPerChunk?: number;
}

/** Number of elements in a shape, checking that every extent is a non-negative integer. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`shape extents must be non-negative integers, got [${shape.join(", ")}]`);
    n *= d;
  }
  return n;
}

/** Allocates an uninitialised tensor (WebGPU zero-fills new buffers). */
export function createTensor<D extends DType>(
  ctx: GpuContext,
  label: string,
  shape: readonly number[],
  dtype: D,
  category: MemoryCategory,
  options: CreateTensorOptions = {},
): Tensor<D> {
  if (shape.length === 0) throw new RangeError(`${label}: a tensor needs at least one dimension, got shape []`);
  numel(shape);
  const rows = shape[0]!;
  const rowElems = numel(shape.slice(1));
  const slackElems = options.slackElems ?? 0;
  const bytesPer = elemBytes(dtype);
  const rowBytes = rowElems * bytesPer;
  const usable = ctx.bindingCap - slackElems * bytesPer - (bytesPer === 2 ? 2 : 0); // half chunks round up to a word
  let rowsPerChunk = rowBytes === 0 ? Math.max(rows, 1) : Math.floor(usable / rowBytes);
  if (rowsPerChunk < 1) {
    throw new RangeError(`${label}: one row of shape [${shape.join(", ")}] takes ${rowBytes} bytes, more than the binding cap of ${ctx.bindingCap} bytes`);
  }
  if (options.maxRowsPerChunk !== undefined) rowsPerChunk = Math.min(rowsPerChunk, options.maxRowsPerChunk);
  const chunks: TensorChunk[] = [];
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  for (let row0 = 0; row0 < rows || chunks.length === 0; row0 += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - row0);
    // Zero-sized bindings are invalid; keep at least 4 bytes (and 16 to satisfy vec4 layouts).
    const size = chunkBytes(dtype, n * rowElems + slackElems);
    const buffer = ctx.memory.createBuffer({ label: chunks.length === 0 && rows <= rowsPerChunk ? label : `${label}[rows ${row0}..${row0 + n})`, size, usage }, category);
    chunks.push({ buffer, offset: 0, bytes: size, row0, rows: n });
    if (rows === 0) break;
  }
  return { label, dtype, shape: [...shape], rowElems, chunks, category, slackElems };
}

/** The tensor's only chunk; a RangeError if it was split. */
export function singleChunk(t: Tensor, op: string): TensorChunk {
  if (t.chunks.length !== 1) {
    throw new RangeError(`${op}: ${t.label} [${t.shape.join(", ")}] is split into ${t.chunks.length} chunks; this operand must fit one binding (cap ${t.chunks[0]?.buffer.size ?? 0} bytes)`);
  }
  return t.chunks[0]!;
}

/**
 * A view of rows [row0, row0 + rows) of a single-chunk tensor, sharing its buffer. The byte offset must
 * meet minStorageBufferOffsetAlignment (256): a RangeError says which row would be needed instead.
 */
export function viewRows<D extends DType>(t: Tensor<D>, row0: number, rows: number, label = `${t.label}[${row0}..${row0 + rows})`): Tensor<D> {
  const c = singleChunk(t, "viewRows");
  const rowBytes = t.rowElems * elemBytes(t.dtype);
  if (!Number.isInteger(row0) || !Number.isInteger(rows) || row0 < 0 || rows < 0 || row0 + rows > c.rows) {
    throw new RangeError(`viewRows: rows [${row0}, ${row0 + rows}) of ${t.label} are outside [0, ${c.rows})`);
  }
  const offset = c.offset + row0 * rowBytes;
  if (offset % 256 !== 0) {
    throw new RangeError(`viewRows: row ${row0} of ${t.label} starts at byte ${offset}, not a multiple of 256 (rows are ${rowBytes} bytes)`);
  }
  const bytes = chunkBytes(t.dtype, rows * t.rowElems);
  return { label, dtype: t.dtype, shape: [rows, ...t.shape.slice(1)], rowElems: t.rowElems, chunks: [{ buffer: c.buffer, offset, bytes, row0: 0, rows }], category: t.category, slackElems: 0 };
}

/** Copies host data (row-major, numel(shape) elements) into the tensor. */
export function writeTensor<D extends DType>(ctx: GpuContext, t: Tensor<D>, data: HostArray<D>): void {
  const n = numel(t.shape);
  if (data.length !== n) throw new RangeError(`${t.label}: writeTensor got ${data.length} elements, shape [${t.shape.join(", ")}] needs ${n}`);
  for (const c of t.chunks) {
    if (c.rows === 0) continue;
    const start = c.row0 * t.rowElems;
    const view = data.subarray(start, start + c.rows * t.rowElems);
    writeWords(ctx, c.buffer, c.offset, view);
  }
}

/** queue.writeBuffer of `data`'s bytes, padded with zeros to whole 4-byte words (odd half counts). */
export function writeWords(ctx: GpuContext, buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
  if (data.byteLength % 4 === 0) {
    ctx.device.queue.writeBuffer(buffer, offset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return;
  }
  const padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  ctx.device.queue.writeBuffer(buffer, offset, padded);
}

/** Allocates a tensor and fills it from host data. */
export function uploadTensor<D extends DType>(
  ctx: GpuContext,
  label: string,
  shape: readonly number[],
  dtype: D,
  data: HostArray<D>,
  category: MemoryCategory,
  options: CreateTensorOptions = {},
): Tensor<D> {
  const t = createTensor(ctx, label, shape, dtype, category, options);
  writeTensor(ctx, t, data);
  return t;
}

/** Reads whole buffers, or byte ranges of them, back to the host: one ArrayBuffer each. */
export async function readBuffers(ctx: GpuContext, buffers: readonly (GPUBuffer | StorageBinding)[]): Promise<ArrayBuffer[]> {
  const enc = ctx.device.createCommandEncoder({ label: "readBuffers.encoder" });
  const staging = buffers.map((src) => {
    const b = "buffer" in src ? src.buffer : src;
    const offset = "buffer" in src ? src.offset : 0;
    const size = "buffer" in src ? src.size : src.size;
    const s = ctx.memory.createBuffer({ label: `${b.label}.staging`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }, "staging");
    enc.copyBufferToBuffer(b, offset, s, 0, size);
    return s;
  });
  ctx.device.queue.submit([enc.finish()]);
  try {
    await Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ)));
    ctx.throwIfFaulted();
    return staging.map((s) => s.getMappedRange().slice(0));
  } finally {
    for (const s of staging) ctx.memory.destroy(s);
  }
}

/** Reads the tensor's logical contents (no slack) back to the host. */
export async function readTensor<D extends DType>(ctx: GpuContext, t: Tensor<D>): Promise<HostArray<D>> {
  const raw = await readBuffers(ctx, t.chunks.map(chunkBinding));
  const n = numel(t.shape);
  const make = (b: ArrayBuffer, count: number) =>
    t.dtype === "f32" ? new Float32Array(b, 0, count) : t.dtype === "u32" ? new Uint32Array(b, 0, count) : t.dtype === "i32" ? new Int32Array(b, 0, count) : new Uint16Array(b, 0, count);
  const out = (t.dtype === "f32" ? new Float32Array(n) : t.dtype === "u32" ? new Uint32Array(n) : t.dtype === "i32" ? new Int32Array(n) : new Uint16Array(n)) as HostArray<D>;
  t.chunks.forEach((c, i) => {
    const count = c.rows * t.rowElems;
    const src = make(raw[i]!, count);
    out.set(src as never, c.row0 * t.rowElems);
  });
  return out;
}

/** Frees the tensor's buffers (only for tensors that own them, not views into an arena). */
export function destroyTensor(ctx: GpuContext, t: Tensor): void {
  for (const c of t.chunks) ctx.memory.destroy(c.buffer);
}
