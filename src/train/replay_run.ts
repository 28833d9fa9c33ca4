/**
 * replay: the fine-tuned weights of a run rebuilt from the base model and the run's trajectory.jsonl
 * (and masks.json for the masked methods), without a forward pass. Every method replays: mezo and the
 * masked ones (mazo, sparse-mezo, random-mask, single-task) give the trained weights, bit for bit on the
 * same backend; lora-mezo and lora-mazo give the trained adapter (merge it with `applyAdapter`).
 * Browser-safe: the trajectory and masks come in as text (a RunSink's files, a download, a fetch).
 */
import type { GpuContext } from "../gpu/context.ts";
import { checkLoraConfig, type HostLora, initHostLora, type LoraConfig, LoraAdapters } from "../lora/lora.ts";
import { createLoraScope } from "../lora/scope.ts";
import { createLoraMaskedScope } from "../mazo/lora_scope.ts";
import { MaskedScope } from "../mazo/masked_scope.ts";
import { ParamStore } from "../model/param_store.ts";
import type { HostWeights } from "../model/weights.ts";
import { createFullScope, type ParamGroup } from "../zo/full_scope.ts";
import type { DecayRule } from "../zo/weight_decay.ts";
import { replay as replaySteps } from "../zo/replay.ts";
import type { ZoScope } from "../zo/scope.ts";
import { parseTrajectory, type Trajectory, type TrajectoryHeader, weightsHash } from "../zo/trajectory.ts";
import type { StepRecord } from "../zo/trainer.ts";
import { type MaskFile, parseMaskFile } from "./mask_file.ts";
import type { ModelSource } from "./options.ts";
import { loraMasksFromFile } from "./target.ts";

/** Methods whose trajectory header names a mask file (extra.masks): replaying them needs the run's masks.json. */
export const MASKED_METHODS: readonly string[] = ["mazo", "sparse-mezo", "random-mask", "single-task", "lora-mazo"];

/** Every method replay knows. */
export const REPLAY_METHODS: readonly string[] = ["mezo", "lora-mezo", ...MASKED_METHODS];

/** What {@link replay} takes. */
export interface ReplayRunOptions {
  readonly ctx: GpuContext;
  /** The base model the run trained from (its fingerprint must match the trajectory header's). */
  readonly model: ModelSource;
  /** trajectory.jsonl's text, or the parsed trajectory. A torn last line (interrupted run) is dropped. */
  readonly trajectory: string | Trajectory;
  /** masks.json's text or parsed file: required for the masked methods, ignored otherwise. */
  readonly masks?: string | MaskFile;
  /** Replay even when the base model's fingerprint differs from the one the run trained (default false). */
  readonly force?: boolean;
  /** Only the first `steps` steps (default all): the weights as they were after that many steps. */
  readonly steps?: number;
  /** Called after each replayed step. */
  readonly onStep?: (step: number, total: number) => void;
}

/** What {@link replay} returns: the fine-tuned weights, or for LoRA runs the fine-tuned adapter. */
export type ReplayResult =
  & {
    /** The run's method (from the trajectory header). */
    readonly method: string;
    /** Steps replayed. */
    readonly steps: number;
    /** The trajectory header. */
    readonly header: TrajectoryHeader;
    /** True when the trajectory ended in a torn line (an interrupted run), which was dropped. */
    readonly tornTail: boolean;
  }
  & (
    | { readonly kind: "weights"; readonly weights: HostWeights }
    | { readonly kind: "adapter"; readonly adapter: HostLora }
  );

/** Replayed weights still on the GPU (see {@link replayOnGpu}); destroy() frees them. */
export interface ReplayedRun {
  /** The base weights with the replayed updates (unchanged for LoRA runs). */
  readonly store: ParamStore;
  /** The replayed adapters (LoRA runs). */
  readonly lora?: LoraAdapters;
  destroy(): void;
}

function maskFileOf(masks: string | MaskFile | undefined, method: string): MaskFile {
  if (masks === undefined) throw new RangeError(`replay: a ${method} run is replayed with the masks it trained with; pass masks (the run's masks.json)`);
  return typeof masks === "string" ? parseMaskFile(masks) : masks;
}

/**
 * Uploads `weights`, builds the scope the trajectory's run trained (from `masks` for masked methods) and
 * replays `steps` onto it, leaving the result on the GPU. The caller destroys the result.
 */
export async function replayOnGpu(ctx: GpuContext, header: TrajectoryHeader, weights: HostWeights, steps: readonly StepRecord[], masks?: string | MaskFile, onStep?: (step: number, total: number) => void): Promise<ReplayedRun> {
  const method = header.method;
  if (!REPLAY_METHODS.includes(method)) throw new RangeError(`replay: method ${JSON.stringify(method)} cannot be replayed; known: ${REPLAY_METHODS.join(", ")}`);
  const eps = header.scope.eps;
  const masked = MASKED_METHODS.includes(method);
  const store = ParamStore.upload(ctx, weights);
  let scope: ZoScope;
  let lora: LoraAdapters | undefined;
  try {
    if (header.lora !== undefined) {
      const cfg = checkLoraConfig(header.lora as unknown as LoraConfig);
      lora = new LoraAdapters(ctx, initHostLora(weights.config, cfg));
      if (masked) scope = createLoraMaskedScope(ctx, lora.arenas, loraMasksFromFile(maskFileOf(masks, method), lora.entries, cfg.rank));
      else scope = createLoraScope(ctx, lora, header.scope.exact ? { exact: true, ...(eps === undefined ? {} : { eps }) } : {});
    } else if (masked) {
      const file = maskFileOf(masks, method);
      if (file.method !== method) throw new RangeError(`replay: the masks hold ${file.method} masks; the trajectory is a ${method} run`);
      scope = new MaskedScope(ctx, store, file.masks);
    } else {
      const groups = (header.scope.groups ?? ["matrices", "norms", "embeddings"]) as ParamGroup[];
      // Runs from before the decay rule was recorded decayed matrices only.
      const decayRule = (header.scope.decayRule ?? "matrices") as DecayRule;
      scope = await createFullScope(ctx, store, header.scope.exact ? { groups, decayRule, exact: true, weights, ...(eps === undefined ? {} : { eps }) } : { groups, decayRule });
    }
  } catch (e) {
    lora?.destroy();
    store.destroy(ctx);
    throw e;
  }
  try {
    await replaySteps(ctx, scope, steps, onStep === undefined ? {} : { onStep });
  } finally {
    scope.destroy();
  }
  return {
    store,
    ...(lora === undefined ? {} : { lora }),
    destroy: () => {
      lora?.destroy();
      store.destroy(ctx);
    },
  };
}

/**
 * Rebuilds a run's fine-tuned weights (or adapter) from its base model and trajectory, without a
 * forward pass. Throws when the base model's fingerprint is not the trajectory's (unless `force`).
 *
 * @example
 * ```ts
 * const r = await replay({ ctx, model, trajectory: text, masks: masksText });
 * const tuned = r.kind === "weights" ? r.weights : applyAdapter(model.weights, r.adapter);
 * ```
 */
export async function replay(o: ReplayRunOptions): Promise<ReplayResult> {
  const traj = typeof o.trajectory === "string" ? parseTrajectory(o.trajectory) : o.trajectory;
  const h = traj.header;
  const w = o.model.weights;
  if (o.force !== true) {
    const hash = weightsHash(w);
    if (hash !== h.model.hash) {
      const base = o.model.name === undefined ? "the base model" : `the base model ${o.model.name}`;
      throw new RangeError(`replay: ${base} has fingerprint ${hash}, the trajectory was trained from ${h.model.hash} (${h.model.path ?? "unknown path"}); pass force to replay anyway`);
    }
  }
  const n = o.steps ?? traj.steps.length;
  if (!Number.isInteger(n) || n < 0 || n > traj.steps.length) throw new RangeError(`replay: steps must be an integer in [0, ${traj.steps.length}], got ${n}`);
  const steps = traj.steps.slice(0, n);
  const r = await replayOnGpu(o.ctx, h, w, steps, o.masks, o.onStep);
  try {
    const common = { method: h.method, steps: steps.length, header: h, tornTail: traj.tornTail };
    if (r.lora !== undefined) return { ...common, kind: "adapter", adapter: await r.lora.download() };
    return { ...common, kind: "weights", weights: await r.store.download(o.ctx) };
  } finally {
    r.destroy();
  }
}
