/** The --backend option and context creation shared by every GPU subcommand. */
import { BACKEND_CHOICES, type BackendChoice } from "../gpu/adapter.ts";
import { createGpuContext, type GpuContext } from "../gpu/context.ts";
import type { CliIO, OptionSpec, OptionValues } from "./command.ts";

export const GPU_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  backend: { type: "string", arg: "<name>", choices: BACKEND_CHOICES, default: "auto", description: "GPU path: auto tries each available one" },
};

/** Creates the GPU context the options ask for and says on stderr which adapter was chosen. */
export async function contextFromOptions(values: OptionValues, io: CliIO): Promise<GpuContext> {
  const ctx = await createGpuContext({ backend: (values.backend ?? "auto") as BackendChoice });
  if (values.quiet !== true) {
    io.err(`mazo: ${ctx.info.description} via ${ctx.path}${ctx.info.software ? " (software adapter)" : ""}`);
  }
  return ctx;
}
