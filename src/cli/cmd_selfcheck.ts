/**
 * `mazo selfcheck`: runs every kernel on this machine's adapter against its TypeScript reference on
 * random inputs and prints the max error of each. Exit code 1 if any kernel is outside tolerance.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { Command } from "./command.ts";
import { contextFromOptions, GPU_OPTIONS } from "./gpu_options.ts";
import { SELFCHECKS } from "./selfchecks.ts";

export const selfcheckCommand: Command = {
  name: "selfcheck",
  summary: "check every GPU kernel against its reference on this adapter",
  usage: "[--backend <name>]",
  options: { ...GPU_OPTIONS },
  async run(values, _positionals, io) {
    const ctx: GpuContext = await contextFromOptions(values, io);
    let failures = 0;
    try {
      io.out(`${"kernel".padEnd(22)} ${"shape".padEnd(22)} ${"max |err|".padStart(11)} ${"tolerance".padStart(11)}  result   ms`);
      for (const check of SELFCHECKS) {
        const t0 = performance.now();
        const r = await check.run(ctx);
        const ms = performance.now() - t0;
        const ok = r.maxErr <= r.tol;
        if (!ok) failures++;
        io.out(`${check.name.padEnd(22)} ${r.shape.padEnd(22)} ${r.maxErr.toExponential(2).padStart(11)} ${r.tol.toExponential(2).padStart(11)}  ${ok ? "ok    " : "FAILED"} ${ms.toFixed(0).padStart(4)}`);
      }
      ctx.throwIfFaulted();
    } finally {
      ctx.destroy();
    }
    io.out(failures === 0 ? `selfcheck: all ${SELFCHECKS.length} kernels match their references` : `selfcheck: ${failures} of ${SELFCHECKS.length} kernels FAILED`);
    return failures === 0 ? 0 : 1;
  },
};
