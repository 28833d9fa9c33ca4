/**
 * LoraScope: LoRA-ZO's scope, the adapter parameters A and B only (the base weights never change). Weight
 * decay, when the trainer asks for it, applies to both A and B. Exact mode is available; its grids are set
 * from A's initial bound for A and B alike (B starts at zero, so its own max would leave no headroom).
 */
import type { GpuContext } from "../gpu/context.ts";
import { ArenaScope } from "../zo/arena_scope.ts";
import type { LoraAdapters } from "./lora.ts";

/** Options of {@link createLoraScope}: exact (grid) mode and the trainer's eps it needs. */
export interface LoraScopeOptions {
  readonly exact?: boolean;
  /** Exact mode: the trainer's eps. */
  readonly eps?: number;
}

/** A ZO scope over the LoRA adapters' A and B matrices (the base weights stay frozen); exact mode optional. */
export function createLoraScope(ctx: GpuContext, lora: LoraAdapters, options: LoraScopeOptions = {}): ArenaScope {
  const decay = (): boolean => true;
  if (options.exact !== true) return new ArenaScope(ctx, lora.arenas, { kind: "lora", decay });
  if (options.eps === undefined) throw new RangeError("LoraScope: exact mode needs the trainer's eps");
  const bound = new Map<number, number>();
  lora.entries.forEach((e) => {
    bound.set(e.idA, 1 / Math.sqrt(e.inDim));
    bound.set(e.idB, 1 / Math.sqrt(e.inDim));
  });
  return new ArenaScope(ctx, lora.arenas, { kind: "lora", decay, exact: { eps: options.eps, maxAbs: (id) => bound.get(id) ?? 0 } });
}
