/**
 * The shape of a CLI subcommand: its options (declared once, used for parsing, validation and --help)
 * and its run function. Every subcommand lives in its own file and is listed in commands.ts.
 */

/** One option of a subcommand. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly description: string;
  readonly short?: string;
  readonly default?: string | boolean;
  /** Allowed values of a string option; anything else fails with the list. */
  readonly choices?: readonly string[];
  /** Placeholder in help, e.g. "<path>". */
  readonly arg?: string;
}

/** Parsed option values after config-file merge and defaults. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** Where a command writes: data to `out` (stdout), diagnostics and progress to `err` (stderr). */
export interface CliIO {
  /** Writes a line of data to stdout. */
  out(text: string): void;
  /** Writes data to stdout without a newline (streaming); optional. */
  write?(text: string): void;
  /** Writes to stderr without a newline (progress lines on a TTY); optional. */
  errWrite?(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars) or a log (plain lines). */
  readonly isTTY: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line after "mazo <name>", e.g. "--model <path> [--json]". */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments allowed (default none). */
  readonly positionals?: boolean;
  /** `given` names the options set by a flag or the --config file (not by a default). */
  run(values: OptionValues, positionals: readonly string[], io: CliIO, given: ReadonlySet<string>): Promise<number>;
}

/** Options every subcommand accepts. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: "boolean", short: "h", description: "show this help" },
  config: { type: "string", arg: "<file.json>", description: "JSON file of option values; flags given on the command line override it" },
  quiet: { type: "boolean", short: "q", description: "no progress output" },
};

/** A usage error: printed with the command's help hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Reads a required string option or throws a UsageError naming it. */
export function requireString(values: OptionValues, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** Reads an optional integer option in [min, max]: "2.5" or "1e400" is refused, never rounded. */
export function integerOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const n = numberOption(values, name, fallback, min, max);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(values[name])}`);
  return n;
}

/** Reads an optional numeric option, checking it parses as a finite number within [min, max]. */
export function numberOption(values: OptionValues, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === "string" ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return n;
}
