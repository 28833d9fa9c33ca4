/**
 * LoRA adapters (Hu et al. 2021) for LoRA-ZO: on each target projection W (out, in) of every layer,
 * y += (alpha / r) * B (A x) with A (r, in) and B (out, r). A is Kaiming-uniform initialised as PEFT does
 * (bound 1/sqrt(in)), from a seeded counter-based generator (Philox, so the same on every runtime); B is
 * zero, so a fresh adapter leaves the model unchanged. All adapter tensors live in their own arena
 * buffers (planArena of the parameter store), so the seeded perturbation kernels apply to them as to any
 * arena; their tensor ids are LORA_ID_BASE + k (k = 2*entry for A, 2*entry+1 for B), distinct from base
 * model ids. Applied in the forward pass through LlamaModel.adapters with two matmuls and a (T, r)
 * temporary per activation shape.
 *
 * Letters: T tokens, r rank, in/out the projection's input and output sizes.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { Recorder } from "../gpu/recorder.ts";
import { createTensor, destroyTensor, readBuffers, type Tensor, type TensorChunk } from "../gpu/tensor.ts";
import { matmul } from "../kernels/matmul.ts";
import type { ZoArena } from "../kernels/perturb.ts";
import type { ModelConfig } from "../model/config.ts";
import type { LinearAdapter, LlamaModel } from "../model/forward.ts";
import { planArena } from "../model/param_store.ts";
import { philox4x32 } from "../zo/rng.ts";

/** Projections LoRA can target (canonical short names). */
export const LORA_TARGETS = ["wq", "wk", "wv", "wo", "w1", "w2", "w3"] as const;
/** One projection LoRA can target (see {@link LORA_TARGETS}). */
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** First tensor id of adapter parameters in the z generator. */
export const LORA_ID_BASE = 1 << 24;

/** LoRA settings: rank, alpha (the update is scaled by alpha / rank), target projections and the init seed. */
export interface LoraConfig {
  /** Rank r. */
  readonly rank: number;
  /** Scale numerator: the update is (alpha / r) B A. */
  readonly alpha: number;
  /** Target projections (default wq, wv as in MeZO). */
  readonly targets: readonly LoraTarget[];
  /** Seed of A's initialisation (u32). */
  readonly seed: number;
}

/** The default LoRA settings: rank 8, alpha 16, on wq and wv, seed 0. */
export const DEFAULT_LORA: LoraConfig = { rank: 8, alpha: 16, targets: ["wq", "wv"], seed: 0 };

/** Throws a RangeError naming the first invalid field. */
export function checkLoraConfig(c: LoraConfig): LoraConfig {
  if (!Number.isInteger(c.rank) || c.rank < 1) throw new RangeError(`LoRA: rank must be a positive integer, got ${c.rank}`);
  if (!Number.isFinite(c.alpha) || c.alpha <= 0) throw new RangeError(`LoRA: alpha must be > 0, got ${c.alpha}`);
  if (c.targets.length === 0) throw new RangeError("LoRA: needs at least one target projection");
  for (const t of c.targets) if (!LORA_TARGETS.includes(t)) throw new RangeError(`LoRA: unknown target "${t}"; valid: ${LORA_TARGETS.join(", ")}`);
  if (new Set(c.targets).size !== c.targets.length) throw new RangeError(`LoRA: duplicate targets in ${c.targets.join(", ")}`);
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed >= 2 ** 32) throw new RangeError(`LoRA: seed must be a u32, got ${c.seed}`);
  return c;
}

/** One adapted projection. */
export interface LoraEntry {
  readonly layer: number;
  readonly target: LoraTarget;
  /** The base weight's canonical name, e.g. "layers.0.wq". */
  readonly weight: string;
  readonly inDim: number;
  readonly outDim: number;
  /** Tensor ids of A and B in the z generator. */
  readonly idA: number;
  readonly idB: number;
}

/** Host copies of adapter matrices, in entry order. */
export interface HostLora {
  readonly config: LoraConfig;
  readonly entries: readonly LoraEntry[];
  /** A (r, in) per entry. */
  readonly a: Float32Array[];
  /** B (out, r) per entry. */
  readonly b: Float32Array[];
}

/** (out, in) of a projection. */
function projDims(c: ModelConfig, t: LoraTarget): [number, number] {
  const D = c.dim, F = c.hiddenDim, q = c.nHeads * c.headDim, kv = c.nKvHeads * c.headDim;
  switch (t) {
    case "wq": return [q, D];
    case "wk": return [kv, D];
    case "wv": return [kv, D];
    case "wo": return [D, q];
    case "w1": return [F, D];
    case "w2": return [D, F];
    case "w3": return [F, D];
  }
}

/** The adapted projections of a model, layer-major, targets in the config's order. */
export function loraEntries(model: ModelConfig, cfg: LoraConfig): LoraEntry[] {
  const out: LoraEntry[] = [];
  for (let l = 0; l < model.nLayers; l++) {
    for (const target of cfg.targets) {
      const [outDim, inDim] = projDims(model, target);
      const k = out.length;
      out.push({ layer: l, target, weight: `layers.${l}.${target}`, inDim, outDim, idA: LORA_ID_BASE + 2 * k, idB: LORA_ID_BASE + 2 * k + 1 });
    }
  }
  return out;
}

/** The initial adapter: A Kaiming-uniform in [-1/sqrt(in), 1/sqrt(in)) from Philox(seed, idA, index), B zero. */
export function initHostLora(model: ModelConfig, cfg: LoraConfig): HostLora {
  checkLoraConfig(cfg);
  const entries = loraEntries(model, cfg);
  const words = new Uint32Array(4);
  const a = entries.map((e) => {
    const bound = 1 / Math.sqrt(e.inDim);
    const m = new Float32Array(cfg.rank * e.inDim);
    for (let i = 0; i < m.length; i++) {
      philox4x32(i, e.idA, 0, 0, cfg.seed, 0, words);
      m[i] = (2 * ((words[0]! + 0.5) / 2 ** 32) - 1) * bound;
    }
    return m;
  });
  const b = entries.map((e) => new Float32Array(e.outDim * cfg.rank));
  return { config: cfg, entries, a, b };
}

/** The adapter's GPU tensors and arena, and the LinearAdapter hooks that apply it. */
export class LoraAdapters {
  readonly config: LoraConfig;
  readonly entries: readonly LoraEntry[];
  readonly a: Tensor<"f32">[];
  readonly b: Tensor<"f32">[];
  /** The arena buffers (for scopes), with segment tables keyed by idA/idB. */
  readonly arenas: ZoArena[];
  /** GPU bytes of the parameters. */
  readonly bytes: number;
  readonly #ctx: GpuContext;
  readonly #buffers: GPUBuffer[];
  readonly #temps = new Map<string, Tensor<"f32">>();

  constructor(ctx: GpuContext, host: HostLora) {
    const cfg = checkLoraConfig(host.config);
    this.#ctx = ctx;
    this.config = cfg;
    this.entries = host.entries;
    const r = cfg.rank;
    const shapes = host.entries.flatMap((e) => [[r, e.inDim], [e.outDim, r]]);
    const { placements, bufferBytes } = planArena(shapes, ctx.bindingCap, ctx.limits.minStorageBufferOffsetAlignment);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.#buffers = bufferBytes.map((size, i) => ctx.memory.createBuffer({ label: `LoRA.arena[${i}]`, size: Math.max(16, size), usage }, "weights"));
    this.bytes = this.#buffers.reduce((s, b) => s + b.size, 0);
    const segs: number[][] = bufferBytes.map(() => []);
    const chunks: TensorChunk[][] = shapes.map(() => []);
    for (const p of placements) {
      const rowElems = shapes[p.id]![1]!;
      const buffer = this.#buffers[p.bufferIndex]!;
      chunks[p.id]!.push({ buffer, offset: p.offset, bytes: p.bytes, row0: p.row0, rows: p.rows });
      segs[p.bufferIndex]!.push(LORA_ID_BASE + p.id, p.offset / 4, p.rows * rowElems, p.row0 * rowElems);
      const k = p.id >> 1;
      const src = (p.id & 1) === 0 ? host.a[k]! : host.b[k]!;
      const data = src.subarray(p.row0 * rowElems, (p.row0 + p.rows) * rowElems);
      ctx.device.queue.writeBuffer(buffer, p.offset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    }
    this.arenas = this.#buffers.map((buffer, i) => ({ label: `LoRA.arena[${i}]`, buffer, elems: buffer.size / 4, segments: Uint32Array.from(segs[i]!) }));
    const tensor = (id: number, label: string): Tensor<"f32"> => {
      const shape = shapes[id]!;
      return { label, dtype: "f32", shape: [...shape], rowElems: shape[1]!, chunks: chunks[id]!, category: "weights", slackElems: 0 };
    };
    this.a = host.entries.map((e, k) => tensor(2 * k, `${e.weight}.lora_A`));
    this.b = host.entries.map((e, k) => tensor(2 * k + 1, `${e.weight}.lora_B`));
  }

  /** The (T, r) temporary for an activation x, chunked like x (one per shape, kept until destroy). */
  #temp(x: Tensor<"f32">): Tensor<"f32"> {
    const T = x.shape[0]!;
    const rows = x.chunks[0]?.rows ?? T;
    const key = `${T}:${rows}`;
    let t = this.#temps.get(key);
    if (t === undefined) {
      t = createTensor(this.#ctx, `LoRA.tmp(${T})`, [T, this.config.rank], "f32", "workspace", { maxRowsPerChunk: Math.max(1, rows) });
      this.#temps.set(key, t);
    }
    return t;
  }

  /** The LinearAdapter of entry k: y += (alpha/r) B (A x). */
  adapter(k: number): LinearAdapter {
    const A = this.a[k]!, B = this.b[k]!;
    const scale = this.config.alpha / this.config.rank;
    return {
      record: (ctx: GpuContext, rec: Recorder, x: Tensor<"f32">, y: Tensor<"f32">) => {
        const tmp = this.#temp(x);
        matmul(ctx, rec, x, A, tmp);
        matmul(ctx, rec, tmp, B, y, { accumulate: true, alpha: scale });
      },
    };
  }

  /** Hooks every entry into the model's forward pass. */
  attach(model: LlamaModel): void {
    this.entries.forEach((e, k) => model.adapters.set(e.weight, this.adapter(k)));
  }

  /** Removes this adapter's hooks from the model. */
  detach(model: LlamaModel): void {
    for (const e of this.entries) model.adapters.delete(e.weight);
  }

  /** Reads A and B back to the host. */
  async download(): Promise<HostLora> {
    const raw = await readBuffers(this.#ctx, this.#buffers);
    const arenas = raw.map((r) => new Float32Array(r));
    const read = (t: Tensor<"f32">): Float32Array => {
      const out = new Float32Array(t.shape[0]! * t.rowElems);
      for (const c of t.chunks) {
        const buf = arenas[this.#buffers.indexOf(c.buffer)]!;
        out.set(buf.subarray(c.offset / 4, c.offset / 4 + c.rows * t.rowElems), c.row0 * t.rowElems);
      }
      return out;
    };
    return { config: this.config, entries: this.entries, a: this.a.map(read), b: this.b.map(read) };
  }

  /** Frees the arena and the temporaries. */
  destroy(): void {
    for (const b of this.#buffers) this.#ctx.memory.destroy(b);
    for (const t of this.#temps.values()) destroyTensor(this.#ctx, t);
    this.#temps.clear();
  }
}
