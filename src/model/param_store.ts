/**
 * The parameter arena: every trainable tensor lives in a few large GPU buffers ("arena buffers") of at
 * most ctx.bindingCap bytes, packed in canonical (tensor id) order. Each tensor starts at an offset
 * aligned to minStorageBufferOffsetAlignment; a tensor too large for one buffer is split at row
 * boundaries over several, so its Tensor has several chunks (views into arena buffers). Each arena buffer
 * carries a segments table, 4 u32 per segment:
 *   (tensorId, startElem within the buffer, count, firstIndex = flat index in the tensor of its first element)
 * which kernels that sweep a whole buffer (the seeded perturbation) use to find (tensor id, element index).
 * Elements between segments (alignment padding) belong to no tensor.
 *
 * Storage precision: with dtype f16 or bf16 the matrices and embeddings are kept in half precision as
 * stored, two per u32 word, in arena buffers of their own (ArenaBuffer.dtype; elements and segment
 * offsets count halves); norm weights and biases (a fraction of a percent of the parameters) stay f32.
 * Kernels widen half weights to f32 as they read them (shaders/wload_half.wgsl).
 */
import type { GpuContext } from "../gpu/context.ts";
import { readBuffers, type Tensor, type TensorChunk, writeWords } from "../gpu/tensor.ts";
import type { WeightTensor } from "../kernels/matmul.ts";
import { canonicalTensors, type ParamKind } from "./canonical.ts";
import type { ModelConfig } from "./config.ts";
import { dtypeBytes, f32ToHalf, halfToF32, type WeightDtype } from "./half.ts";
import { checkHostWeights, type HostTensor, type HostWeights } from "./weights.ts";

/** One arena buffer and the table of which tensor elements it holds. */
export interface ArenaBuffer {
  buffer: GPUBuffer;
  /** Element type of every tensor in this buffer. */
  dtype: WeightDtype;
  /** Elements the buffer holds (its size / element bytes), padding included. */
  elems: number;
  /** 4 u32 per segment: tensorId, startElem (within this buffer), count, firstIndex (within the tensor). */
  segments: Uint32Array;
}

/** Options of ParamStore.create / upload. */
export interface ParamStoreOptions {
  /** Storage of matrices and embeddings (default f32); norms and biases are always f32. */
  readonly dtype?: WeightDtype;
}

/** One tensor's values as the host has them: f32, or raw half bits. */
export type TensorValues = { readonly dtype: "f32"; readonly data: Float32Array } | { readonly dtype: "f16" | "bf16"; readonly bits: Uint16Array };

/** The dtype tensor kind `kind` is stored in under store dtype `dtype`. */
export function storageDtype(kind: ParamKind, dtype: WeightDtype): WeightDtype {
  return kind === "vector" ? "f32" : dtype;
}

/** A tensor of the store: its id (canonical index), name, kind and its GPU view(s). */
export interface ParamEntry {
  id: number;
  name: string;
  shape: number[];
  kind: ParamKind;
  numel: number;
  /** Storage dtype (f32 for vectors). */
  dtype: WeightDtype;
  tensor: WeightTensor;
}

/** Where one run of rows of one tensor goes: buffer index, byte offset, rows. */
interface Placement {
  readonly id: number;
  readonly bufferIndex: number;
  readonly offset: number;
  readonly row0: number;
  readonly rows: number;
  /** Bytes reserved for the chunk's binding (rows * rowBytes, at least 16). */
  readonly bytes: number;
}

/**
 * The arena layout for tensors of the given shapes (elements of `elemBytes` bytes; chunk reservations
 * round up to whole 4-byte words): placements in tensor order and each buffer's size. `ids` gives the
 * tensor id of each shape (default: its index).
 */
export function planArena(shapes: readonly (readonly number[])[], capBytes: number, align: number, elemBytes = 4, ids?: readonly number[]): { placements: Placement[]; bufferBytes: number[] } {
  const placements: Placement[] = [];
  const bufferBytes: number[] = [0];
  const alignUp = (x: number): number => Math.ceil(x / align) * align;
  const reserve = (rows: number, rowBytes: number): number => Math.max(16, Math.ceil((rows * rowBytes) / 4) * 4);
  shapes.forEach((shape, k) => {
    const id = ids?.[k] ?? k;
    const rows = shape[0] ?? 1;
    const rowBytes = elemBytes * shape.slice(1).reduce((a, b) => a * b, 1);
    if (reserve(1, rowBytes) > capBytes) {
      throw new RangeError(`ParamStore: tensor ${id} [${shape.join(", ")}] has ${rowBytes}-byte rows, more than the binding cap of ${capBytes} bytes`);
    }
    let row0 = 0;
    while (row0 < rows) {
      const left = rows - row0;
      let b = bufferBytes.length - 1;
      let start = bufferBytes[b]! === 0 ? 0 : alignUp(bufferBytes[b]!);
      const fitsHere = start + reserve(left, rowBytes) <= capBytes;
      const fitsFresh = reserve(left, rowBytes) <= capBytes;
      if (!fitsHere && (fitsFresh || start + reserve(1, rowBytes) > capBytes)) {
        // Keep a tensor whole when a fresh buffer can hold it; open one too when not even a row fits here.
        bufferBytes.push(0);
        b++;
        start = 0;
      }
      let n = Math.min(left, Math.floor((capBytes - start) / rowBytes));
      while (n > 1 && start + reserve(n, rowBytes) > capBytes) n--;
      const bytes = reserve(n, rowBytes);
      placements.push({ id, bufferIndex: b, offset: start, row0, rows: n, bytes });
      bufferBytes[b] = start + bytes;
      row0 += n;
    }
  });
  return { placements, bufferBytes };
}

/** Levenshtein distance, for "did you mean" lists. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The GPU home of every trainable tensor: arena buffers, one entry per canonical tensor id. */
export class ParamStore {
  readonly buffers: ArenaBuffer[];
  readonly entries: ParamEntry[];
  readonly config: ModelConfig;
  /** Storage dtype of matrices and embeddings. */
  readonly dtype: WeightDtype;
  /** GPU bytes of all arena buffers (recorded under the "weights" memory category). */
  readonly bytes: number;
  readonly #byName: Map<string, ParamEntry>;
  /** Per tensor id: where its row runs lie (for writes). */
  readonly #placements: Placement[][];

  private constructor(config: ModelConfig, dtype: WeightDtype, buffers: ArenaBuffer[], entries: ParamEntry[], placements: Placement[][]) {
    this.config = config;
    this.dtype = dtype;
    this.buffers = buffers;
    this.entries = entries;
    this.#placements = placements;
    this.bytes = buffers.reduce((a, b) => a + b.buffer.size, 0);
    this.#byName = new Map(entries.map((e) => [e.name, e]));
  }

  /**
   * Allocates the arena buffers for a model of `config` (zero-filled; fill each tensor with write()).
   * Throws a RangeError naming the bytes needed and the limit when a buffer cannot be made.
   */
  static create(ctx: GpuContext, config: ModelConfig, options: ParamStoreOptions = {}): ParamStore {
    const dtype = options.dtype ?? "f32";
    const specs = canonicalTensors(config);
    const align = ctx.limits.minStorageBufferOffsetAlignment;
    // One arena group per storage dtype (f32 first, so an all-f32 store is laid out as before).
    const groups = new Map<WeightDtype, number[]>();
    for (const s of specs) {
      const d = storageDtype(s.kind, dtype);
      groups.set(d, [...(groups.get(d) ?? []), s.id]);
    }
    const cap = Math.min(ctx.bindingCap, ctx.limits.maxBufferSize);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffers: ArenaBuffer[] = [];
    const placementsOf: Placement[][] = specs.map(() => []);
    const chunksOf: TensorChunk[][] = specs.map(() => []);
    const order = [...groups.keys()].sort((a, b) => (a === "f32" ? -1 : b === "f32" ? 1 : 0));
    const plans = order.map((d) => ({ d, ids: groups.get(d)!, plan: planArena(groups.get(d)!.map((id) => specs[id]!.shape), cap, align, dtypeBytes(d), groups.get(d)!) }));
    const total = plans.reduce((a, p) => a + p.plan.bufferBytes.reduce((x, y) => x + Math.max(16, y), 0), 0);
    for (const { d, plan } of plans) {
      const base = buffers.length;
      const segs: number[][] = plan.bufferBytes.map(() => []);
      const gpu = plan.bufferBytes.map((size, i) => {
        try {
          return ctx.memory.createBuffer({ label: `ParamStore.arena[${base + i}]${d === "f32" ? "" : `.${d}`}`, size: Math.max(16, size), usage }, "weights");
        } catch (e) {
          throw new RangeError(`ParamStore: cannot allocate weight buffer ${base + i} of ${size} bytes (the model needs ${total} bytes of weights in ${d === "f32" ? "f32" : `${d}+f32`}; maxBufferSize ${ctx.limits.maxBufferSize}, maxStorageBufferBindingSize ${ctx.limits.maxStorageBufferBindingSize}): ${(e as Error).message}`);
        }
      });
      const eb = dtypeBytes(d);
      for (const p of plan.placements) {
        const spec = specs[p.id]!;
        const rowElems = spec.shape.slice(1).reduce((a, b) => a * b, 1);
        const buffer = gpu[p.bufferIndex]!;
        const placed = { ...p, bufferIndex: base + p.bufferIndex };
        placementsOf[p.id]!.push(placed);
        chunksOf[p.id]!.push({ buffer, offset: p.offset, bytes: p.bytes, row0: p.row0, rows: p.rows });
        segs[p.bufferIndex]!.push(p.id, p.offset / eb, p.rows * rowElems, p.row0 * rowElems);
      }
      gpu.forEach((buffer, i) => buffers.push({ buffer, dtype: d, elems: Math.floor(buffer.size / eb), segments: Uint32Array.from(segs[i]!) }));
    }
    const entries = specs.map((s): ParamEntry => {
      const rowElems = s.shape.slice(1).reduce((a, b) => a * b, 1);
      const d = storageDtype(s.kind, dtype);
      const tensor = { label: s.name, dtype: d, shape: [...s.shape], rowElems, chunks: chunksOf[s.id]!, category: "weights", slackElems: 0 } as WeightTensor;
      return { id: s.id, name: s.name, shape: [...s.shape], kind: s.kind, numel: s.shape.reduce((a, b) => a * b, 1), dtype: d, tensor };
    });
    return new ParamStore(config, dtype, buffers, entries, placementsOf);
  }

  /**
   * Packs `weights` (canonical order) into arena buffers of at most ctx.bindingCap bytes and uploads them,
   * in options.dtype (default f32; half dtypes round to nearest even).
   */
  static upload(ctx: GpuContext, weights: HostWeights, options: ParamStoreOptions = {}): ParamStore {
    checkHostWeights(weights);
    const store = ParamStore.create(ctx, weights.config, options);
    weights.tensors.forEach((t, id) => store.write(ctx, id, { dtype: "f32", data: t.data }));
    return store;
  }

  /**
   * Writes tensor `id`'s values (all of them, row-major), converting them to its storage dtype
   * (widening exactly, narrowing to nearest even). The host copy can be dropped once this returns.
   */
  write(ctx: GpuContext, id: number, values: TensorValues): void {
    const e = this.entry(id);
    const n = values.dtype === "f32" ? values.data.length : values.bits.length;
    if (n !== e.numel) throw new RangeError(`ParamStore.write: ${e.name} [${e.shape.join(", ")}] needs ${e.numel} values, got ${n}`);
    let src: Float32Array | Uint16Array;
    if (e.dtype === "f32") src = values.dtype === "f32" ? values.data : halfToF32(values.bits, values.dtype);
    else if (values.dtype === e.dtype) src = values.bits;
    else src = f32ToHalf(values.dtype === "f32" ? values.data : halfToF32(values.bits, values.dtype), e.dtype);
    const rowElems = e.shape.slice(1).reduce((a, b) => a * b, 1);
    for (const p of this.#placements[id]!) {
      writeWords(ctx, this.buffers[p.bufferIndex]!.buffer, p.offset, src.subarray(p.row0 * rowElems, (p.row0 + p.rows) * rowElems));
    }
  }

  /** The f32 tensor named `name` (norms, biases, f32 weights); a TypeError for a half-precision one. */
  get(name: string): Tensor<"f32"> {
    const t = this.entry(name).tensor;
    if (t.dtype !== "f32") throw new TypeError(`ParamStore.get: ${name} is stored as ${t.dtype}; read weights with weight()`);
    return t as Tensor<"f32">;
  }

  /** The weight tensor named `name` in its storage dtype (matmul and embedding read any of them). */
  weight(name: string): WeightTensor {
    return this.entry(name).tensor;
  }

  /** The entry with tensor id `idOrName`, or named so. */
  entry(idOrName: number | string): ParamEntry {
    if (typeof idOrName === "number") {
      const e = this.entries[idOrName];
      if (e === undefined || !Number.isInteger(idOrName)) throw new RangeError(`ParamStore: tensor id ${idOrName} is outside [0, ${this.entries.length})`);
      return e;
    }
    const e = this.#byName.get(idOrName);
    if (e !== undefined) return e;
    const similar = this.entries.map((x) => [editDistance(idOrName, x.name), x.name] as const).sort((a, b) => a[0] - b[0]).slice(0, 5).map(([, n]) => n);
    throw new RangeError(`ParamStore: no tensor "${idOrName}" among ${this.entries.length}; similar: ${similar.join(", ")}`);
  }

  /** Reads every tensor back to the host (canonical order, widened to f32), for checkpoints and export. */
  async download(ctx: GpuContext): Promise<HostWeights> {
    const tensors: HostTensor[] = this.entries.map((e) => ({ name: e.name, shape: [...e.shape], data: new Float32Array(e.numel) }));
    const batchBytes = 256 << 20; // bound on staging memory per readback
    for (let i = 0; i < this.buffers.length;) {
      const batch: ArenaBuffer[] = [];
      let bytes = 0;
      do {
        batch.push(this.buffers[i]!);
        bytes += this.buffers[i]!.buffer.size;
        i++;
      } while (i < this.buffers.length && bytes + this.buffers[i]!.buffer.size <= batchBytes);
      const raw = await readBuffers(ctx, batch.map((b) => b.buffer));
      batch.forEach((b, k) => {
        const d = b.dtype;
        const all = d === "f32" ? new Float32Array(raw[k]!) : new Uint16Array(raw[k]!);
        for (let s = 0; s < b.segments.length; s += 4) {
          const [id, start, count, first] = [b.segments[s]!, b.segments[s + 1]!, b.segments[s + 2]!, b.segments[s + 3]!];
          const dst = tensors[id]!.data.subarray(first, first + count);
          if (d === "f32") dst.set(all.subarray(start, start + count) as Float32Array);
          else halfToF32(all.subarray(start, start + count) as Uint16Array, d, dst as Float32Array<ArrayBuffer>);
        }
      });
    }
    return { config: { ...this.config }, tensors };
  }

  /** Frees the arena buffers; the store and its tensors are unusable afterwards. */
  destroy(ctx: GpuContext): void {
    for (const b of this.buffers) ctx.memory.destroy(b.buffer);
  }
}
