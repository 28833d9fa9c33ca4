/**
 * `mazo replay`: rebuilds fine-tuned weights from a base model and a trajectory.jsonl without a forward
 * pass, and writes them as a Hugging Face folder (mezo) or a PEFT adapter folder (lora-mezo; --merge also
 * writes the merged model). The base model must be the one trained (its fingerprint is in the header).
 */
import { ParamStore } from "../model/param_store.ts";
import { writeHfFolder } from "../model/load.ts";
import { checkLoraConfig, initHostLora, type LoraConfig, LoraAdapters } from "../lora/lora.ts";
import { createLoraScope } from "../lora/scope.ts";
import { createFullScope, type ParamGroup } from "../zo/full_scope.ts";
import { replay } from "../zo/replay.ts";
import { weightsHash } from "../zo/trajectory.ts";
import { readTrajectory } from "../zo/trajectory_file.ts";
import { writeLoraResult } from "./cmd_train.ts";
import { type Command, requireString } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { MODEL_OPTIONS, modelFromOptions } from "./model_options.ts";

export const replayCommand: Command = {
  name: "replay",
  summary: "rebuild fine-tuned weights from a trajectory without a forward pass",
  usage: "--model <base> --trajectory <file> --out <dir> [--merge] [--force]",
  options: {
    model: MODEL_OPTIONS.model!,
    ...GPU_OPTIONS,
    trajectory: { type: "string", arg: "<file>", description: "trajectory.jsonl of a training run" },
    out: { type: "string", arg: "<dir>", description: "output folder: a Hugging Face model, or a PEFT adapter for LoRA runs" },
    merge: { type: "boolean", default: false, description: "LoRA runs: also write the merged model to <out>/merged" },
    force: { type: "boolean", default: false, description: "replay even if the base model's fingerprint differs from the trajectory's" },
  },
  async run(v, _p, io) {
    const trajPath = requireString(v, "trajectory");
    const out = requireString(v, "out");
    const traj = readTrajectory(trajPath);
    const h = traj.header;
    if (traj.tornTail && v.quiet !== true) io.err(`mazo replay: ${trajPath} ends in a torn line (interrupted run); replaying the ${traj.steps.length} complete steps`);
    const { loaded } = await modelFromOptions(v, false);
    const hash = weightsHash(loaded.weights);
    if (hash !== h.model.hash && v.force !== true) {
      throw new Error(`base model ${loaded.path} has fingerprint ${hash}, the trajectory was trained from ${h.model.hash} (${h.model.path ?? "unknown path"}); pass --force to replay anyway`);
    }
    const eps = h.scope.eps;
    const ctx = await contextFromOptions(v, io);
    try {
      const store = ParamStore.upload(ctx, loaded.weights);
      const t0 = performance.now();
      let written: string[];
      if (h.lora !== undefined) {
        const cfg = checkLoraConfig(h.lora as unknown as LoraConfig);
        const lora = new LoraAdapters(ctx, initHostLora(loaded.weights.config, cfg));
        const scope = createLoraScope(ctx, lora, h.scope.exact ? { exact: true, ...(eps === undefined ? {} : { eps }) } : {});
        await replay(ctx, scope, traj.steps);
        written = await writeLoraResult(out, lora, loaded.weights, h.model.path ?? loaded.path, v.merge === true);
        scope.destroy();
        lora.destroy();
      } else {
        const groups = (h.scope.groups ?? ["matrices", "norms", "embeddings"]) as ParamGroup[];
        const scope = await createFullScope(ctx, store, h.scope.exact ? { groups, exact: true, weights: loaded.weights, ...(eps === undefined ? {} : { eps }) } : { groups });
        await replay(ctx, scope, traj.steps);
        written = writeHfFolder(out, await store.download(ctx));
        scope.destroy();
      }
      store.destroy(ctx);
      if (v.quiet !== true) io.err(`mazo replay: ${traj.steps.length} steps (${h.method}, ${h.scope.kind}) in ${((performance.now() - t0) / 1000).toFixed(2)}s`);
      for (const f of written) io.out(f);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};

