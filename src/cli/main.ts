/**
 * The mazo command line: `mazo <subcommand> [options]`, the same under `deno run src/cli/main.ts`
 * (or `deno task mazo`) and Node (`npx mazo`, from the esbuild output).
 */
import process from "node:process";
import { type CliIO, UsageError } from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { commandHelp, parseCommandArgs } from "./parse.ts";

function topHelp(): string {
  const lines = ["mazo: masked zeroth-order fine-tuning of LLaMA-family models on WebGPU", "", "usage: mazo <command> [options]   (mazo <command> --help for its options)", "", "commands:"];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  return lines.join("\n");
}

/** Runs the CLI on argv (without the program name) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(topHelp());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    io.err(`mazo: unknown command ${JSON.stringify(name)}; valid commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
    return 2;
  }
  try {
    const { values, positionals, given } = parseCommandArgs(cmd, rest);
    if (values.help === true) {
      io.out(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(values, positionals, io, given);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mazo ${cmd.name}: ${e.message}\n(see mazo ${cmd.name} --help)`);
      return 2;
    }
    io.err(`mazo ${cmd.name}: ${(e as Error).message}`);
    if (process.env.MAZO_DEBUG === "1") io.err(String((e as Error).stack));
    return 1;
  }
}

const isEntry = (() => {
  const g = globalThis as { Deno?: { mainModule?: string } };
  if (g.Deno?.mainModule !== undefined) return g.Deno.mainModule === import.meta.url;
  return process.argv[1] !== undefined && (import.meta.url.endsWith(process.argv[1]) || process.env.MAZO_CLI_ENTRY === "1");
})();

if (isEntry) {
  const io: CliIO = {
    out: (t) => process.stdout.write(t + "\n"),
    write: (t) => process.stdout.write(t),
    errWrite: (t) => process.stderr.write(t),
    err: (t) => process.stderr.write(t + "\n"),
    isTTY: process.stderr.isTTY === true,
  };
  const code = await main(process.argv.slice(2), io);
  process.exit(code);
}
