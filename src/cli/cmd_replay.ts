/**
 * `mazo replay`: rebuilds fine-tuned weights from a base model and a trajectory.jsonl without a forward
 * pass, and writes them as a Hugging Face folder (mezo and the masked methods: mazo, sparse-mezo,
 * random-mask, single-task) or a PEFT adapter folder (lora-mezo, lora-mazo; --merge also writes the
 * merged model). Masked runs read their fixed mask from the file the trajectory header's extra.masks
 * names, next to the trajectory (masks.json of the run folder). The base model must be the one trained
 * (its fingerprint is in the header); without --model the header's model path is used.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { folderSink } from "../io/folder_sink.ts";
import { prepareOutputFolder } from "../io/output_folder.ts";
import { isFile } from "../io/files.ts";
import { applyAdapter } from "../load/adapter.ts";
import { encodePeftFolder } from "../lora/peft.ts";
import { encodeHfFolder } from "../model/convert.ts";
import { writeHfFolder } from "../model/load.ts";
import { MASKED_METHODS, replay } from "../train/replay_run.ts";
import type { TrajectoryHeader } from "../zo/trajectory.ts";
import { readTrajectory } from "../zo/trajectory_file.ts";
import { type Command, type OptionValues, UsageError } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { MODEL_OPTIONS, modelFromOptions } from "./model_options.ts";

/** The mask file of a masked run: extra.masks of the header, relative to the trajectory's folder. */
export function maskPathOf(header: TrajectoryHeader, trajectoryPath: string): string {
  const rel = header.extra?.masks;
  if (typeof rel !== "string" || rel === "") throw new RangeError(`${trajectoryPath}: the header of this ${header.method} run names no mask file (extra.masks)`);
  const path = join(dirname(trajectoryPath), rel);
  if (!isFile(path)) throw new RangeError(`${path} does not exist: a ${header.method} trajectory is replayed with the masks its run saved (${rel} next to the trajectory)`);
  return path;
}

/** Writes `files` (name -> parts) into folder `dir` atomically, returning the paths written. */
async function writeFiles(dir: string, files: Map<string, Uint8Array[]>): Promise<string[]> {
  const sink = folderSink(dir);
  const out: string[] = [];
  for (const [name, parts] of files) {
    await sink.write(name, parts);
    out.push(sink.path(name));
  }
  return out;
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
    prepareOutputFolder(out, v.overwrite === true ? "overwrite" : "refuse"); // checked before any work
    const traj = readTrajectory(trajPath);
    const h = traj.header;
    if (traj.tornTail && v.quiet !== true) io.err(`mazo replay: ${trajPath} ends in a torn line (interrupted run); replaying the ${traj.steps.length} complete steps`);
    const modelPath = typeof v.model === "string" ? v.model : h.model.path;
    if (modelPath === undefined) throw new UsageError(`${trajPath} does not record its base model's path; pass --model <base>`);
    const { loaded } = await modelFromOptions({ ...v, model: modelPath }, false);
    const masked = MASKED_METHODS.includes(h.method);
    const masks = masked ? readFileSync(maskPathOf(h, trajPath), "utf8") : undefined;
    const ctx = await contextFromOptions(v, io);
    try {
      const t0 = performance.now();
      let r;
      try {
        r = await replay({ ctx, model: { weights: loaded.weights, name: loaded.path }, trajectory: traj, ...(masks === undefined ? {} : { masks }), force: v.force === true });
      } catch (e) {
        if (e instanceof RangeError && /fingerprint/.test(e.message)) throw new Error(`${e.message.replace(/; pass force.*$/, "")}; pass --force to replay anyway`);
        throw e;
      }
      const baseName = h.model.path ?? loaded.path;
      const written = r.kind === "adapter"
        ? [
          ...(await writeFiles(join(out, "adapter"), encodePeftFolder(loaded.weights.config, r.adapter, baseName))),
          ...(v.merge === true ? await writeFiles(join(out, "merged"), encodeHfFolder(applyAdapter(loaded.weights, r.adapter))) : []),
        ]
        : writeHfFolder(out, r.weights);
      if (v.quiet !== true) io.err(`mazo replay: ${r.steps} steps (${h.method}, ${h.scope.kind} scope) in ${((performance.now() - t0) / 1000).toFixed(2)}s`);
      for (const f of written) io.out(f);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
