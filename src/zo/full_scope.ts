/**
 * FullScope: MeZO's scope, every trainable tensor of a ParamStore (one ArenaPlan per arena buffer).
 * Which parameter groups train is an option: "matrices" (attention and FFN projections), "norms"
 * (RMSNorm weights and the q/k/v biases: the store's 1-D "vector" tensors) and "embeddings" (token
 * embedding and the untied LM head). Weight decay follows `decayRule` (src/zo/weight_decay.ts): MeZO's
 * rule by default (everything but norms and biases), or matrices only.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { ParamKind } from "../model/canonical.ts";
import type { ParamStore } from "../model/param_store.ts";
import type { HostWeights } from "../model/weights.ts";
import { ArenaScope } from "./arena_scope.ts";
import { DECAY_RULES, type DecayRule, decays } from "./weight_decay.ts";

/** A group of parameters MeZO may train: the matrices, the norm vectors, the embeddings. */
export type ParamGroup = "matrices" | "norms" | "embeddings";
/** Every ParamGroup. */
export const PARAM_GROUPS: readonly ParamGroup[] = ["matrices", "norms", "embeddings"];

const GROUP_OF: Readonly<Record<ParamKind, ParamGroup>> = { matrix: "matrices", vector: "norms", embedding: "embeddings" };

/** Which parameter groups a full (unmasked) scope trains, and in which mode. */
export interface FullScopeOptions {
  /** Groups that train (default all three). */
  readonly groups?: readonly ParamGroup[];
  /** Exact (grid) mode: zero restore drift; quantises the weights once onto their grids (docs/zo.md). */
  readonly exact?: boolean;
  /** Exact mode: the eps the trainer will use (sets the grids). */
  readonly eps?: number;
  /** Exact mode: host weights equal to the store's (their max |value| per tensor); read back when omitted. */
  readonly weights?: HostWeights;
  /** Which tensors weight decay applies to (default "mezo": all but norms and biases). */
  readonly decayRule?: DecayRule;
}

/** Largest |value| of each tensor. */
export function maxAbsPerTensor(w: HostWeights): number[] {
  return w.tensors.map((t) => {
    let m = 0;
    for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(t.data[i]!));
    return m;
  });
}

/** A scope over the store's tensors in `options.groups`. */
export async function createFullScope(ctx: GpuContext, store: ParamStore, options: FullScopeOptions = {}): Promise<ArenaScope> {
  const groups = options.groups ?? PARAM_GROUPS;
  for (const g of groups) if (!PARAM_GROUPS.includes(g)) throw new RangeError(`FullScope: unknown parameter group "${g}"; valid: ${PARAM_GROUPS.join(", ")}`);
  if (store.dtype !== "f32") throw new TypeError(`FullScope: the store keeps its weights in ${store.dtype}; use createHalfFullScope (src/zo/half_scope.ts)`);
  const on = (id: number): boolean => groups.includes(GROUP_OF[store.entry(id).kind]);
  const arenas = store.buffers.map((b, i) => {
    const segs: number[] = [];
    for (let s = 0; s < b.segments.length; s += 4) if (on(b.segments[s]!)) segs.push(...b.segments.subarray(s, s + 4));
    return { label: `ParamStore.arena[${i}]`, buffer: b.buffer, elems: b.elems, segments: Uint32Array.from(segs) };
  });
  const rule = options.decayRule ?? "mezo";
  if (!DECAY_RULES.includes(rule)) throw new RangeError(`FullScope: unknown decay rule "${String(rule)}"; valid: ${DECAY_RULES.join(", ")}`);
  const decay = (id: number): boolean => decays(rule, store.entry(id).kind);
  if (options.exact !== true) return new ArenaScope(ctx, arenas, { kind: "full", decay });
  if (options.eps === undefined) throw new RangeError("FullScope: exact mode needs the trainer's eps");
  const maxAbs = maxAbsPerTensor(options.weights ?? (await store.download(ctx)));
  return new ArenaScope(ctx, arenas, { kind: "full", decay, exact: { eps: options.eps, maxAbs: (id) => maxAbs[id] ?? 0 } });
}
