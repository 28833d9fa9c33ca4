/**
 * `mazo replay`: rebuilds fine-tuned weights from a base model and a trajectory.jsonl without a forward
 * pass, and writes them as a Hugging Face folder (mezo and the masked methods: mazo, sparse-mezo,
 * random-mask, single-task) or a PEFT adapter folder (lora-mezo, lora-mazo; --merge also writes the
 * merged model). Masked runs read their fixed mask from the file the trajectory header's extra.masks
 * names, next to the trajectory (masks.json of the run folder). The base model must be the one trained
 * (its fingerprint is in the header); without --model the header's model path is used.
 */
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";
import type { GpuContext } from "../gpu/context.ts";
import { isFile } from "../io/files.ts";
import { checkLoraConfig, initHostLora, type LoraConfig, LoraAdapters } from "../lora/lora.ts";
import { createLoraScope } from "../lora/scope.ts";
import { createLoraMaskedScope } from "../mazo/lora_scope.ts";
import { MaskedScope } from "../mazo/masked_scope.ts";
import { writeHfFolder } from "../model/load.ts";
import { ParamStore } from "../model/param_store.ts";
import type { HostWeights } from "../model/weights.ts";
import { parseMaskFile } from "../train/mask_file.ts";
import { loraMasksFromFile, writeLoraResult } from "../train/target.ts";
import { folderSink } from "../io/folder_sink.ts";
import { createFullScope, type ParamGroup } from "../zo/full_scope.ts";
import { replay } from "../zo/replay.ts";
import type { ZoScope } from "../zo/scope.ts";
import { type TrajectoryHeader, weightsHash } from "../zo/trajectory.ts";
import { readTrajectory } from "../zo/trajectory_file.ts";
import type { StepRecord } from "../zo/trainer.ts";
import { type Command, type OptionValues, UsageError } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { MODEL_OPTIONS, modelFromOptions } from "./model_options.ts";

/** Methods whose trajectory header names a mask file (extra.masks). */
export const MASKED_METHODS = ["mazo", "sparse-mezo", "random-mask", "single-task", "lora-mazo"] as const;

/** Methods replay knows. */
export const REPLAY_METHODS = ["mezo", "lora-mezo", ...MASKED_METHODS] as const;

/** The result of {@link replayRun}: the base store with the replayed weights, or the replayed adapters. */
export interface ReplayedRun {
  readonly store: ParamStore;
  /** Set for LoRA runs (the base store is then unchanged). */
  readonly lora?: LoraAdapters;
  destroy(): void;
}

/** The mask file of a masked run: extra.masks of the header, relative to the trajectory's folder. */
export function maskPathOf(header: TrajectoryHeader, trajectoryPath: string): string {
  const rel = header.extra?.masks;
  if (typeof rel !== "string" || rel === "") throw new RangeError(`${trajectoryPath}: the header of this ${header.method} run names no mask file (extra.masks)`);
  const path = join(dirname(trajectoryPath), rel);
  if (!isFile(path)) throw new RangeError(`${path} does not exist: a ${header.method} trajectory is replayed with the masks its run saved (${rel} next to the trajectory)`);
  return path;
}

/**
 * Uploads `weights`, builds the scope the trajectory's run trained (reading its masks for masked methods)
 * and replays `steps` onto it. The caller destroys the result.
 */
export async function replayRun(ctx: GpuContext, header: TrajectoryHeader, trajectoryPath: string, weights: HostWeights, steps: readonly StepRecord[]): Promise<ReplayedRun> {
  const method = header.method;
  if (!(REPLAY_METHODS as readonly string[]).includes(method)) throw new RangeError(`${trajectoryPath}: method ${JSON.stringify(method)} cannot be replayed; known: ${REPLAY_METHODS.join(", ")}`);
  const eps = header.scope.eps;
  const masked = (MASKED_METHODS as readonly string[]).includes(method);
  const store = ParamStore.upload(ctx, weights);
  let scope: ZoScope;
  let lora: LoraAdapters | undefined;
  if (header.lora !== undefined) {
    const cfg = checkLoraConfig(header.lora as unknown as LoraConfig);
    lora = new LoraAdapters(ctx, initHostLora(weights.config, cfg));
    if (masked) {
      const file = readMaskFile(maskPathOf(header, trajectoryPath));
      scope = createLoraMaskedScope(ctx, lora.arenas, loraMasksFromFile(file, lora.entries, cfg.rank));
    } else {
      scope = createLoraScope(ctx, lora, header.scope.exact ? { exact: true, ...(eps === undefined ? {} : { eps }) } : {});
    }
  } else if (masked) {
    const file = readMaskFile(maskPathOf(header, trajectoryPath));
    if (file.method !== method) throw new RangeError(`${maskPathOf(header, trajectoryPath)} holds ${file.method} masks; the trajectory is a ${method} run`);
    scope = new MaskedScope(ctx, store, file.masks);
  } else {
    const groups = (header.scope.groups ?? ["matrices", "norms", "embeddings"]) as ParamGroup[];
    scope = await createFullScope(ctx, store, header.scope.exact ? { groups, exact: true, weights, ...(eps === undefined ? {} : { eps }) } : { groups });
  }
  try {
    await replay(ctx, scope, steps);
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

function readMaskFile(path: string) {
  return parseMaskFile(readFileSync(path, "utf8"), path);
}

/** The trajectory path from --run <dir> or --trajectory <file>. */
function trajectoryPathOf(v: OptionValues): string {
  if (typeof v.run === "string" && typeof v.trajectory === "string") throw new UsageError("give --run <dir> or --trajectory <file>, not both");
  if (typeof v.run === "string") return join(v.run, "trajectory.jsonl");
  if (typeof v.trajectory === "string") return v.trajectory;
  throw new UsageError("--run <dir> or --trajectory <file> is required");
}

export const replayCommand: Command = {
  name: "replay",
  summary: "rebuild fine-tuned weights from a run's trajectory (and masks) without a forward pass",
  usage: "(--run <dir> | --trajectory <file>) --out <dir> [--model <base>] [--merge] [--force]",
  options: {
    model: { ...MODEL_OPTIONS.model!, description: "the base model trained (default: the path in the trajectory's header)" },
    ...GPU_OPTIONS,
    run: { type: "string", arg: "<dir>", description: "run folder of mazo train (its trajectory.jsonl, and masks.json for masked methods)" },
    trajectory: { type: "string", arg: "<file>", description: "trajectory.jsonl of a training run (masked methods: the mask file it names must lie next to it)" },
    out: { type: "string", arg: "<dir>", description: `output folder: a Hugging Face model (${["mezo", ...MASKED_METHODS.filter((m) => !m.startsWith("lora"))].join(", ")}), or <out>/adapter (PEFT) for lora-mezo, lora-mazo` },
    merge: { type: "boolean", default: false, description: "LoRA runs: also write the merged model to <out>/merged" },
    force: { type: "boolean", default: false, description: "replay even if the base model's fingerprint differs from the trajectory's" },
    overwrite: { type: "boolean", default: false, description: "replace the files of an existing --out folder (without it a non-empty --out is refused)" },
  },
  async run(v, _p, io) {
    const trajPath = trajectoryPathOf(v);
    if (typeof v.out !== "string" || v.out === "") throw new UsageError("--out is required");
    const out = v.out;
    const sink = folderSink(out, v.overwrite === true ? "overwrite" : "refuse"); // checked before any work
    const traj = readTrajectory(trajPath);
    const h = traj.header;
    if (traj.tornTail && v.quiet !== true) io.err(`mazo replay: ${trajPath} ends in a torn line (interrupted run); replaying the ${traj.steps.length} complete steps`);
    const modelPath = typeof v.model === "string" ? v.model : h.model.path;
    if (modelPath === undefined) throw new UsageError(`${trajPath} does not record its base model's path; pass --model <base>`);
    const { loaded } = await modelFromOptions({ ...v, model: modelPath }, false);
    const hash = weightsHash(loaded.weights);
    if (hash !== h.model.hash && v.force !== true) {
      throw new Error(`base model ${loaded.path} has fingerprint ${hash}, the trajectory was trained from ${h.model.hash} (${h.model.path ?? "unknown path"}); pass --force to replay anyway`);
    }
    const ctx = await contextFromOptions(v, io);
    try {
      const t0 = performance.now();
      const r = await replayRun(ctx, h, trajPath, loaded.weights, traj.steps);
      const written = r.lora !== undefined
        ? (await writeLoraResult(sink, r.lora, loaded.weights, h.model.path ?? loaded.path, v.merge === true)).map((f) => sink.path(f))
        : writeHfFolder(out, await r.store.download(ctx));
      r.destroy();
      if (v.quiet !== true) io.err(`mazo replay: ${traj.steps.length} steps (${h.method}, ${h.scope.kind} scope) in ${((performance.now() - t0) / 1000).toFixed(2)}s`);
      for (const f of written) io.out(f);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
