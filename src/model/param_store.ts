/**
 * The parameter arena: every trainable tensor lives in a few large GPU buffers ("arena buffers") of at
 * most ctx.bindingCap bytes, packed in canonical (tensor id) order. Each tensor starts at an offset
 * aligned to minStorageBufferOffsetAlignment; a tensor too large for one buffer is split at row
 * boundaries over several, so its Tensor has several chunks (views into arena buffers). Each arena buffer
 * carries a segments table, 4 u32 per segment:
 *   (tensorId, startElem within the buffer, count, firstIndex = flat index in the tensor of its first element)
 * which kernels that sweep a whole buffer (the seeded perturbation) use to find (tensor id, element index).
 * Elements between segments (alignment padding) belong to no tensor.
 */
import type { GpuContext } from "../gpu/context.ts";
import { readBuffers, type Tensor, type TensorChunk } from "../gpu/tensor.ts";
import { canonicalTensors, type ParamKind } from "./canonical.ts";
import type { ModelConfig } from "./config.ts";
import { checkHostWeights, type HostTensor, type HostWeights } from "./weights.ts";

/** One arena buffer and the table of which tensor elements it holds. */
export interface ArenaBuffer {
  buffer: GPUBuffer;
  /** Elements the buffer holds (its size / 4), padding included. */
  elems: number;
  /** 4 u32 per segment: tensorId, startElem (within this buffer), count, firstIndex (within the tensor). */
  segments: Uint32Array;
}

/** A tensor of the store: its id (canonical index), name, kind and its GPU view(s). */
export interface ParamEntry {
  id: number;
  name: string;
  shape: number[];
  kind: ParamKind;
  numel: number;
  tensor: Tensor<"f32">;
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

/** The arena layout for tensors of the given shapes: placements in tensor order and each buffer's size. */
export function planArena(shapes: readonly (readonly number[])[], capBytes: number, align: number): { placements: Placement[]; bufferBytes: number[] } {
  const placements: Placement[] = [];
  const bufferBytes: number[] = [0];
  const alignUp = (x: number): number => Math.ceil(x / align) * align;
  const reserve = (rows: number, rowBytes: number): number => Math.max(16, rows * rowBytes);
  shapes.forEach((shape, id) => {
    const rows = shape[0] ?? 1;
    const rowBytes = 4 * shape.slice(1).reduce((a, b) => a * b, 1);
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
  /** GPU bytes of all arena buffers (recorded under the "weights" memory category). */
  readonly bytes: number;
  readonly #byName: Map<string, ParamEntry>;

  private constructor(config: ModelConfig, buffers: ArenaBuffer[], entries: ParamEntry[]) {
    this.config = config;
    this.buffers = buffers;
    this.entries = entries;
    this.bytes = buffers.reduce((a, b) => a + b.buffer.size, 0);
    this.#byName = new Map(entries.map((e) => [e.name, e]));
  }

  /** Packs `weights` (canonical order) into arena buffers of at most ctx.bindingCap bytes and uploads them. */
  static upload(ctx: GpuContext, weights: HostWeights): ParamStore {
    checkHostWeights(weights);
    const specs = canonicalTensors(weights.config);
    const align = ctx.limits.minStorageBufferOffsetAlignment;
    const { placements, bufferBytes } = planArena(specs.map((s) => s.shape), ctx.bindingCap, align);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const gpuBuffers = bufferBytes.map((size, i) =>
      ctx.memory.createBuffer({ label: `ParamStore.arena[${i}]`, size: Math.max(16, size), usage }, "weights")
    );
    const segs: number[][] = bufferBytes.map(() => []);
    const chunksOf: TensorChunk[][] = specs.map(() => []);
    for (const p of placements) {
      const spec = specs[p.id]!;
      const rowElems = spec.shape.slice(1).reduce((a, b) => a * b, 1);
      const buffer = gpuBuffers[p.bufferIndex]!;
      chunksOf[p.id]!.push({ buffer, offset: p.offset, bytes: p.bytes, row0: p.row0, rows: p.rows });
      segs[p.bufferIndex]!.push(p.id, p.offset / 4, p.rows * rowElems, p.row0 * rowElems);
      const data = weights.tensors[p.id]!.data.subarray(p.row0 * rowElems, (p.row0 + p.rows) * rowElems);
      ctx.device.queue.writeBuffer(buffer, p.offset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    }
    const buffers = gpuBuffers.map((buffer, i) => ({ buffer, elems: buffer.size / 4, segments: Uint32Array.from(segs[i]!) }));
    const entries = specs.map((s): ParamEntry => {
      const rowElems = s.shape.slice(1).reduce((a, b) => a * b, 1);
      const tensor: Tensor<"f32"> = { label: s.name, dtype: "f32", shape: [...s.shape], rowElems, chunks: chunksOf[s.id]!, category: "weights", slackElems: 0 };
      return { id: s.id, name: s.name, shape: [...s.shape], kind: s.kind, numel: s.shape.reduce((a, b) => a * b, 1), tensor };
    });
    return new ParamStore(weights.config, buffers, entries);
  }

  /** The tensor named `name`; throws naming it and listing similar names if there is none. */
  get(name: string): Tensor<"f32"> {
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

  /** Reads every tensor back to the host (canonical order), for checkpoints and export. */
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
        const all = new Float32Array(raw[k]!);
        for (let s = 0; s < b.segments.length; s += 4) {
          const [id, start, count, first] = [b.segments[s]!, b.segments[s + 1]!, b.segments[s + 2]!, b.segments[s + 3]!];
          tensors[id]!.data.set(all.subarray(start, start + count), first);
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
