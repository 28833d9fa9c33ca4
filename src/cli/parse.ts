/**
 * Argument parsing for one subcommand with node:util parseArgs (works on Deno and Node): strict, with
 * a --config JSON file merged under the flags, choice validation, and errors that list valid options.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type Command, COMMON_OPTIONS, type OptionSpec, type OptionValues, UsageError } from "./command.ts";

export interface Parsed {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** All options of a command, common ones included. */
export function allOptions(cmd: Command): Record<string, OptionSpec> {
  return { ...cmd.options, ...COMMON_OPTIONS };
}

/** Parses argv for `cmd`, merging --config under explicit flags and filling defaults. */
export function parseCommandArgs(cmd: Command, argv: readonly string[]): Parsed {
  const specs = allOptions(cmd);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, s] of Object.entries(specs)) options[name] = s.short === undefined ? { type: s.type } : { type: s.type, short: s.short };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: cmd.positionals === true });
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    throw new UsageError(`${msg}\nvalid options for mazo ${cmd.name}: ${Object.keys(specs).map((n) => `--${n}`).join(", ")}`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const merged: Record<string, string | boolean | undefined> = {};
  for (const [name, s] of Object.entries(specs)) if (s.default !== undefined) merged[name] = s.default;
  if (typeof flags.config === "string") Object.assign(merged, readConfigFile(flags.config, specs, cmd.name));
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  for (const [name, s] of Object.entries(specs)) {
    const v = merged[name];
    if (s.choices !== undefined && typeof v === "string" && !s.choices.includes(v)) {
      throw new UsageError(`--${name} must be one of ${s.choices.join(", ")}; got ${JSON.stringify(v)}`);
    }
  }
  return { values: merged, positionals: parsed.positionals };
}

function readConfigFile(path: string, specs: Record<string, OptionSpec>, cmdName: string): Record<string, string | boolean> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`--config ${path}: cannot read a JSON object (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new UsageError(`--config ${path}: expected a JSON object of option values`);
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(json)) {
    const s = specs[k];
    if (s === undefined || k === "config") {
      throw new UsageError(`--config ${path}: unknown option "${k}" for mazo ${cmdName}; valid: ${Object.keys(specs).filter((n) => n !== "config").join(", ")}`);
    }
    if (s.type === "boolean") {
      if (typeof v !== "boolean") throw new UsageError(`--config ${path}: "${k}" must be true or false, got ${JSON.stringify(v)}`);
      out[k] = v;
    } else {
      if (typeof v !== "string" && typeof v !== "number") throw new UsageError(`--config ${path}: "${k}" must be a string or number, got ${JSON.stringify(v)}`);
      out[k] = String(v);
    }
  }
  return out;
}

/** Help text of one command. */
export function commandHelp(cmd: Command): string {
  const specs = allOptions(cmd);
  const lines = [`mazo ${cmd.name}: ${cmd.summary}`, "", `usage: mazo ${cmd.name} ${cmd.usage}`, "", "options:"];
  for (const [name, s] of Object.entries(specs)) {
    const flag = `${s.short ? `-${s.short}, ` : "    "}--${name}${s.type === "string" ? ` ${s.arg ?? "<value>"}` : ""}`;
    const extra = [s.choices ? `one of ${s.choices.join("|")}` : "", s.default !== undefined ? `default ${s.default}` : ""].filter(Boolean).join("; ");
    lines.push(`  ${flag.padEnd(34)} ${s.description}${extra ? ` (${extra})` : ""}`);
  }
  return lines.join("\n");
}
