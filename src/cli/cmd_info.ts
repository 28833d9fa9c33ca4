/** `mazo info`: the adapter, its limits and whether it is a software fallback. */
import type { Command } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";

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
  usage: "[--backend <name>] [--json]",
  options: {
    ...GPU_OPTIONS,
    json: { type: "boolean", description: "print one JSON object" },
  },
  async run(values, _positionals, io) {
    const ctx = await contextFromOptions({ ...values, quiet: true }, io);
    try {
      const limits = Object.fromEntries(SHOWN_LIMITS.map((n) => [n, ctx.limits[n]]));
      const report = {
        runtime: ctx.runtime,
        path: ctx.path,
        featureLevel: ctx.featureLevel,
        adapter: ctx.info,
        softwareFallback: ctx.info.software,
        features: [...ctx.features].sort(),
        limits,
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
      }
      return 0;
    } finally {
      ctx.destroy();
    }
  },
};
