/** `mazo info`: the adapter, its limits and whether it is a software fallback. */
import { LlamaModel } from "../model/forward.ts";
import type { Command } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { DTYPE_OPTIONS, MODEL_OPTIONS, modelFilesFromOptions, storeFromOptions } from "./model_options.ts";

const SHOWN_LIMITS = [
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupStorageSize",
  "maxStorageBuffersPerShaderStage",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupsPerDimension",
] as const;

export const infoCommand: Command = {
  name: "info",
  summary: "print the WebGPU adapter, the limits mazo requested, and (with --model) the model",
  usage: "[--backend <name>] [--model <path> [--dtype f32|f16|bf16|auto]] [--json]",
  options: {
    ...GPU_OPTIONS,
    model: MODEL_OPTIONS.model!,
    ...DTYPE_OPTIONS,
    json: { type: "boolean", description: "print one JSON object" },
  },
  async run(values, _positionals, io) {
    const ctx = await contextFromOptions({ ...values, quiet: true }, io);
    try {
      const limits = Object.fromEntries(SHOWN_LIMITS.map((n) => [n, ctx.limits[n]]));
      let model: Record<string, unknown> | null = null;
      if (typeof values.model === "string") {
        const { loaded } = await modelFilesFromOptions(values, false);
        const store = await storeFromOptions(ctx, loaded, values);
        const lm = new LlamaModel(ctx, store);
        // One forward pass of a 1 x 64 batch so activation and workspace bytes are real, not estimated.
        const cfg = loaded.config;
        const len = Math.min(64, cfg.maxSeqLen);
        const tokens = Array.from({ length: len }, (_, i) => (i === 0 ? cfg.bosId : i % cfg.vocabSize));
        await lm.score([{ tokens, targets: [...tokens.slice(1), -1] }]);
        const mem = ctx.memory.report();
        const parameters = store.entries.reduce((a, e) => a + e.numel, 0);
        model = {
          path: loaded.path,
          format: loaded.format,
          tokenizer: loaded.tokenizerPath,
          config: cfg,
          parameters,
          storedDtype: loaded.storedDtype,
          gpuDtype: store.dtype,
          gpuBytes: { weights: mem.current.weights, weightsIfF32: parameters * 4, activationsBatch1x64: mem.current.activations, workspaceBatch1x64: mem.current.workspace, uniforms: mem.current.uniforms },
          weightBytesPerParameter: mem.current.weights / parameters,
        };
        lm.releaseActivations();
        store.destroy(ctx);
      }
      const report = {
        runtime: ctx.runtime,
        path: ctx.path,
        featureLevel: ctx.featureLevel,
        adapter: ctx.info,
        softwareFallback: ctx.info.software,
        features: [...ctx.features].sort(),
        limits,
        model,
      };
      if (values.json === true) {
        io.out(JSON.stringify(report, null, 2));
      } else {
        io.out(`runtime        ${ctx.runtime}`);
        io.out(`path           ${ctx.path} (${ctx.featureLevel})`);
        io.out(`adapter        ${ctx.info.description} [vendor ${ctx.info.vendor || "?"}, architecture ${ctx.info.architecture || "?"}]`);
        io.out(`software       ${ctx.info.software ? "yes (CPU fallback: expect ~100x slower than a GPU)" : "no"}`);
        io.out(`features       ${report.features.join(", ") || "(none)"}`);
        for (const [k, v] of Object.entries(limits)) io.out(`${k.padEnd(34)} ${v}`);
        if (model !== null) {
          io.out(`model          ${model.path} (${model.format})`);
          io.out(`tokenizer      ${model.tokenizer ?? "(none found)"}`);
          io.out(`parameters     ${model.parameters}`);
          io.out(`dtype          ${model.gpuDtype} on the GPU (stored ${model.storedDtype}; norms and biases f32), ${(model.weightBytesPerParameter as number).toFixed(3)} bytes per parameter`);
          for (const [k, v] of Object.entries(model.config as Record<string, unknown>)) io.out(`  ${k.padEnd(14)} ${v}`);
          for (const [k, v] of Object.entries(model.gpuBytes as Record<string, number>)) io.out(`gpu bytes ${k.padEnd(22)} ${v}`);
        }
      }
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
