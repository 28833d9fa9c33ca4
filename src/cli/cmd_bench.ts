/**
 * `mazo bench [forward|step|kernels ...]`: in-process benchmarks on the chosen GPU path, naming the
 * adapter and the model they measured. Every number is the median of --reps timed runs after a warm-up
 * run. forward: tokens/s of the forward pass for several (batch, length) shapes. step: a ZO step's time
 * over two forward passes, for MeZO (all weights) and MaZO (calibrated mask, --keep of each row).
 * kernels: the scope calls of a step without forward passes, full scope vs a --keep mask.
 */
import { detectRuntime } from "../gpu/runtime.ts";
import { benchForward, FORWARD_SHAPES, forwardTable, parseShapes } from "../bench/forward.ts";
import { benchScopeKernels } from "../bench/kernels.ts";
import { textTable } from "../bench/stats.ts";
import { benchMask, benchSteps, mixedBatch, stepTable } from "../bench/step.ts";
import { LlamaModel } from "../model/forward.ts";
import { ParamStore } from "../model/param_store.ts";
import { paramCount } from "../model/weights.ts";
import { prepareTasks } from "../train/prepared_tasks.ts";
import { DEFAULT_TASKS } from "../train/options.ts";
import { createFullScope } from "../zo/full_scope.ts";
import { type Command, integerOption, numberOption, UsageError } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { MODEL_OPTIONS, modelFromOptions } from "./model_options.ts";

/** The benchmarks, in the order they run when none is named. */
export const BENCHES = ["forward", "step", "kernels"] as const;
type Bench = (typeof BENCHES)[number];

const DEFAULT_SHAPES = FORWARD_SHAPES.map((s) => `${s.batch}x${s.length}`).join(",");

export const benchCommand: Command = {
  name: "bench",
  summary: "measure forward tokens/s and the ZO step cost (MeZO vs MaZO) on this GPU path",
  usage: `[${BENCHES.join("|")} ...] [--model <path>] [--backend <name>] [--reps N] [--keep R] [--shapes BxT,...] [--batch B] [--max-len T]`,
  positionals: true,
  options: {
    ...MODEL_OPTIONS,
    ...GPU_OPTIONS,
    reps: { type: "string", arg: "<N>", default: "5", description: "timed repeats per measurement (after one warm-up run); the median is reported" },
    shapes: { type: "string", arg: "<list>", default: DEFAULT_SHAPES, description: "forward: <batch>x<length> shapes (lengths above the model's context are skipped)" },
    keep: { type: "string", arg: "<ratio>", default: "0.01", description: "step, kernels: fraction of each weight row in the MaZO mask" },
    batch: { type: "string", arg: "<B>", default: "12", description: "step: task examples per batch (sst2, trec, copa in turn)" },
    "max-len": { type: "string", arg: "<T>", default: "128", description: "step: tokens per scoring sequence at most" },
    "calib-n": { type: "string", arg: "<N>", default: "8", description: "step: calibration examples per task for the MaZO mask" },
    "data-dir": { type: "string", arg: "<dir>", description: "step: task data folder (default $MAZO_DATA, else ../shared/data)" },
  },
  async run(v, positionals, io) {
    for (const p of positionals) if (!(BENCHES as readonly string[]).includes(p)) throw new UsageError(`unknown benchmark ${JSON.stringify(p)}; valid: ${BENCHES.join(", ")}`);
    const which: Bench[] = positionals.length === 0 ? [...BENCHES] : [...new Set(positionals as Bench[])];
    const reps = integerOption(v, "reps", 5, 1, 1e6);
    const keep = numberOption(v, "keep", 0.01, 1e-9, 1);
    let shapes;
    try {
      shapes = parseShapes(String(v.shapes ?? DEFAULT_SHAPES));
    } catch (e) {
      throw new UsageError(`--shapes: ${(e as Error).message}`);
    }
    const { loaded, tokenizer } = await modelFromOptions(v, which.includes("step"));
    const c = loaded.weights.config;
    const ctx = await contextFromOptions({ ...v, quiet: true }, io);
    try {
      io.out(`mazo bench: ${loaded.path} (${paramCount(loaded.weights).toLocaleString("en")} params, dim ${c.dim}, ${c.nLayers} layers)`);
      io.out(`adapter: ${ctx.info.description} via ${ctx.path}${ctx.info.software ? " (software adapter)" : ""}; runtime ${detectRuntime()}; median of ${reps} after 1 warm-up`);
      const model = new LlamaModel(ctx, ParamStore.upload(ctx, loaded.weights));
      if (which.includes("forward")) {
        io.out("\nforward pass (LlamaModel.score)");
        io.out(forwardTable(await benchForward(model, shapes, reps)));
      }
      if (which.includes("step")) {
        const maxLength = Math.min(integerOption(v, "max-len", 128, 2, 1 << 20), c.maxSeqLen);
        const batchSize = integerOption(v, "batch", 12, 1, 1 << 16);
        const calibN = integerOption(v, "calib-n", 8, 1, 1 << 16);
        const per = Math.max(calibN, Math.ceil(batchSize / DEFAULT_TASKS.length));
        const tasks = await prepareTasks(DEFAULT_TASKS, tokenizer!, { seed: 0, sizes: { train: per, dev: 1, test: 1 }, maxLength, ...(typeof v["data-dir"] === "string" ? { dataDir: v["data-dir"] } : {}) });
        const batch = mixedBatch(tasks, batchSize);
        const mask = await benchMask(model, loaded.weights, keep, "mazo", { tokenizer: tokenizer!, tasks, calibN, maxLength });
        io.out(`\nZO step vs forward: batch of ${batch.length} ${DEFAULT_TASKS.join("/")} examples, 1 probe; MaZO mask keep ${keep} (calibrated on ${calibN} examples per task)`);
        io.out(stepTable(await benchSteps(ctx, model, batch, mask, reps)));
        mask.destroy();
        model.releaseActivations();
      }
      if (which.includes("kernels")) {
        // A |W| (Sparse-MeZO) mask has the same k per row as MaZO's, hence the same kernel cost, and needs no data.
        const full = await createFullScope(ctx, model.store);
        const masked = await benchMask(model, loaded.weights, keep, "sparse-mezo");
        const fullMs = await benchScopeKernels(ctx, full, reps);
        const maskedMs = await benchScopeKernels(ctx, masked, reps);
        io.out(`\nstep kernels without forward passes (begin, perturb +eps, perturb -2eps, restore, update; submitted and waited for)`);
        io.out(textTable([
          ["scope", "trained", "extra KiB", "median ms"],
          ["full (MeZO)", full.trainable.toLocaleString("en"), (full.extraBytes / 1024).toFixed(0), fullMs.toFixed(2)],
          [`masked keep ${keep}`, masked.trainable.toLocaleString("en"), (masked.extraBytes / 1024).toFixed(0), maskedMs.toFixed(2)],
        ]));
        io.out(`masked / full: ${(maskedMs / fullMs).toFixed(3)}`);
        full.destroy();
        masked.destroy();
      }
      model.releaseActivations();
      model.store.destroy(ctx);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
