/**
 * MaskedScope: the ZoScope of MaZO and its masked baselines. It perturbs and updates only the masked
 * entries of the parameter arena, through index lists, so every call costs O(k), not O(parameters):
 *   begin   = saveMasked   (the k values of this probe, into a GPU buffer)
 *   perturb = perturbMasked (theta += scale*z at the k positions)
 *   restore = restoreMasked (copies the saved values back: bit-exact, whatever eps)
 *   update  = updateMasked  (theta -= coef*z + decay*theta; decay on "matrix" tensors only)
 * z = z(seed, tensorId, flat index) as everywhere, so a masked entry moves exactly as it would under
 * MeZO with the same seed. One plan per arena buffer holding masked entries.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { Recorder } from "../gpu/recorder.ts";
import {
  type ArenaPlan,
  createArenaPlan,
  createMaskPlan,
  createMaskSave,
  destroyArenaPlan,
  destroyMaskPlan,
  type MaskPlan,
  perturbMasked,
  restoreMasked,
  saveMasked,
  updateMasked,
  type ZoArena,
} from "../kernels/perturb.ts";
import type { Mask } from "../mask/mask.ts";
import type { ParamStore } from "../model/param_store.ts";
import type { ZoScope } from "../zo/scope.ts";

/** The masked entries of one arena buffer on the GPU. */
interface ArenaMask {
  readonly plan: ArenaPlan;
  readonly mask: MaskPlan;
  readonly saved: GPUBuffer;
}

/** Masks by tensor name: a Mask or a strictly ascending flat-index list. */
export type TensorMasks = ReadonlyMap<string, Mask | Uint32Array>;

/** Parameter arenas outside a ParamStore (LoraAdapters.arenas) and their weight-decay rule. */
export interface ArenaSource {
  readonly arenas: readonly ZoArena[];
  readonly decay: (tensorId: number) => boolean;
}

/**
 * Splits per-tensor flat-index lists (tensorId -> strictly ascending indices) over arena buffers: per
 * arena index, a map tensorId -> the indices lying in that arena's segments (arenas without any are left
 * out). `numel` and `name` describe tensor ids for the checks.
 */
export function splitByArena(arenas: readonly { readonly segments: Uint32Array }[], masks: ReadonlyMap<number, Uint32Array>, numel: (id: number) => number, name: (id: number) => string): Map<number, Map<number, Uint32Array>> {
  const out = new Map<number, Map<number, Uint32Array>>();
  for (const [id, idx] of masks) {
    for (let j = 1; j < idx.length; j++) {
      if (idx[j]! <= idx[j - 1]!) throw new RangeError(`MaskedScope: ${name(id)}'s indices must be strictly ascending; index ${j} is ${idx[j]} after ${idx[j - 1]}`);
    }
    if (idx.length > 0 && idx[idx.length - 1]! >= numel(id)) throw new RangeError(`MaskedScope: ${name(id)} index ${idx[idx.length - 1]} is past its ${numel(id)} elements`);
    arenas.forEach((b, bi) => {
      for (let s = 0; s < b.segments.length; s += 4) {
        if (b.segments[s] !== id) continue;
        const first = b.segments[s + 3]!, count = b.segments[s + 2]!;
        const lo = lowerBound(idx, first), hi = lowerBound(idx, first + count);
        if (hi === lo) continue;
        const perArena = out.get(bi) ?? new Map<number, Uint32Array>();
        const prev = perArena.get(id);
        const part = idx.subarray(lo, hi);
        perArena.set(id, prev === undefined ? part : concat(prev, part));
        out.set(bi, perArena);
      }
    });
  }
  return out;
}

/** splitByArena over a ParamStore's arena buffers, with masks by tensor name. */
export function masksByArena(store: ParamStore, masks: TensorMasks): Map<number, Map<number, Uint32Array>> {
  const byId = new Map<number, Uint32Array>();
  for (const [n, m] of masks) byId.set(store.entry(n).id, m instanceof Uint32Array ? m : m.indices);
  return splitByArena(store.buffers, byId, (id) => store.entry(id).numel, (id) => store.entry(id).name);
}

function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function concat(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out.sort();
}

/** The masked ZO scope (see the module doc). */
export class MaskedScope implements ZoScope {
  readonly kind = "masked";
  readonly trainable: number;
  readonly extraBytes: number;
  readonly #ctx: GpuContext;
  readonly #arenas: ArenaMask[];

  /**
   * Uploads the index lists of `masks` (tensor name -> mask) over `store`'s arena buffers; weight decay
   * on "matrix" tensors only.
   */
  constructor(ctx: GpuContext, store: ParamStore, masks: TensorMasks);
  /**
   * Over any parameter arenas (LoRA adapters): `masks` by tensor id, split with splitByArena; `decay`
   * says which tensor ids weight decay applies to.
   */
  constructor(ctx: GpuContext, arenas: ArenaSource, masks: ReadonlyMap<number, Uint32Array>);
  constructor(ctx: GpuContext, source: ParamStore | ArenaSource, masks: TensorMasks | ReadonlyMap<number, Uint32Array>) {
    this.#ctx = ctx;
    let arenas: readonly ZoArena[];
    let split: Map<number, Map<number, Uint32Array>>;
    let decay: (id: number) => boolean;
    if ("entries" in source) {
      const store = source;
      if (store.dtype !== "f32") throw new TypeError(`MaskedScope: the store keeps its weights in ${store.dtype}; use the half-precision masked scope (src/zo/half_scope.ts)`);
      arenas = store.buffers.map((b) => ({ label: b.buffer.label, buffer: b.buffer, elems: b.elems, segments: b.segments }));
      split = masksByArena(store, masks as TensorMasks);
      decay = (id) => store.entry(id).kind === "matrix";
    } else {
      arenas = source.arenas;
      const byId = masks as ReadonlyMap<number, Uint32Array>;
      const sizes = new Map<number, number>();
      for (const a of arenas) for (let s = 0; s < a.segments.length; s += 4) sizes.set(a.segments[s]!, Math.max(sizes.get(a.segments[s]!) ?? 0, a.segments[s + 3]! + a.segments[s + 2]!));
      split = splitByArena(arenas, byId, (id) => sizes.get(id) ?? 0, (id) => `tensor ${id}`);
      decay = source.decay;
    }
    this.#arenas = [];
    try {
      for (const [ai, perTensor] of split) {
        const plan = createArenaPlan(ctx, arenas[ai]!, { decay });
        const mask = createMaskPlan(ctx, plan, perTensor);
        this.#arenas.push({ plan, mask, saved: createMaskSave(ctx, mask) });
      }
    } catch (e) {
      this.destroy();
      throw e;
    }
    this.trainable = this.#arenas.reduce((a, x) => a + x.mask.count, 0);
    this.extraBytes = this.#arenas.reduce((a, x) => a + x.plan.tableBuffer.size + x.plan.statusBuffer.size + x.mask.buffer.size + x.saved.size, 0);
  }

  /** The per-arena mask plans (for tests and benchmarks). */
  get plans(): readonly MaskPlan[] {
    return this.#arenas.map((a) => a.mask);
  }

  begin(rec: Recorder): void {
    for (const a of this.#arenas) saveMasked(this.#ctx, rec, a.mask, a.saved);
  }

  perturb(rec: Recorder, seed: number, scale: number): void {
    for (const a of this.#arenas) perturbMasked(this.#ctx, rec, a.mask, seed, scale);
  }

  /** Copies the values saved by begin() back: exact, so seed and eps are not needed. */
  restore(rec: Recorder, _seed: number, _eps: number): void {
    for (const a of this.#arenas) restoreMasked(this.#ctx, rec, a.mask, a.saved);
  }

  update(rec: Recorder, seed: number, coef: number, decay: number): void {
    for (const a of this.#arenas) updateMasked(this.#ctx, rec, a.mask, seed, coef, decay);
  }

  destroy(): void {
    for (const a of this.#arenas.splice(0)) {
      this.#ctx.memory.destroy(a.saved);
      destroyMaskPlan(this.#ctx, a.mask);
      destroyArenaPlan(this.#ctx, a.plan);
    }
  }
}
