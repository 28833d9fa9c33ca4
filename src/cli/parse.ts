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
  /** The options set by a flag or by the --config file, not by a default. */
  readonly given: ReadonlySet<string>;
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
    const msg = (e as Error).message.split("\n")[0] ?? "";
    const amb = /^Option '(-\S+)(?: <value>)?' argument is ambiguous/.exec(msg);
    if (amb !== null) {
      const flag = amb[1]!.split(",").pop()!.trim();
      const at = argv.indexOf(flag);
      const value = at >= 0 ? argv[at + 1] : undefined;
      throw new UsageError(`${flag} takes a value, and ${JSON.stringify(value ?? "")} starts with "-"; write it as ${flag}=${value ?? "<value>"} (negative numbers are refused where they make no sense)`);
    }
    throw new UsageError(`${msg}\nvalid options for mazo ${cmd.name}: ${Object.keys(specs).map((n) => `--${n}`).join(", ")}`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const merged: Record<string, string | boolean | undefined> = {};
  for (const [name, s] of Object.entries(specs)) if (s.default !== undefined) merged[name] = s.default;
  const given = new Set<string>();
  if (typeof flags.config === "string") {
    const fromFile = readConfigFile(flags.config, specs, cmd.name);
    Object.assign(merged, fromFile);
    for (const k of Object.keys(fromFile)) given.add(k);
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    merged[k] = v;
    given.add(k);
  }
  for (const [name, s] of Object.entries(specs)) {
    const v = merged[name];
    if (s.choices !== undefined && typeof v === "string" && !s.choices.includes(v)) {
      throw new UsageError(`--${name} must be one of ${s.choices.join(", ")}; got ${JSON.stringify(v)}`);
    }
  }
  return { values: merged, positionals: parsed.positionals, given };
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
