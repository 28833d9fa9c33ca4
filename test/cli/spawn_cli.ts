// Runs the mazo CLI in a child process under the test's own runtime: Deno runs src/cli/main.ts, Node the
// esbuild output .build/node/cli.mjs. Shared by the test/cli tests.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { detectRuntime } from "../../src/gpu/runtime.ts";

export interface CliResult {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  /** stdout and stderr together (for assertion messages). */
  readonly out: string;
}

/** The tiny split and schedule every CLI test trains with (seconds per run on the software adapter). */
export const TINY = ["--tasks", "sst2,copa", "--train-n", "16", "--dev-n", "4", "--test-n", "4", "--batch", "2", "--max-len", "64", "--steps", "4", "--eval-every", "2", "--checkpoint-every", "2", "--calib-n", "4", "--seed", "7", "--quiet"];

/** Runs `mazo <args>` with extra environment variables; waits at most 5 minutes. */
export function cli(args: readonly string[], env: Record<string, string> = {}): CliResult {
  const root = process.cwd();
  // Under Deno run the CLI with the Deno binary itself (node_modules/.bin/deno is a Node shim that
  // would turn a child's SIGKILL into an exit code).
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const [cmd, pre] = detectRuntime() === "deno" && deno !== undefined
    ? [deno.execPath(), ["run", "-A", join(root, "src/cli/main.ts")]]
    : [process.execPath, [join(root, ".build/node/cli.mjs")]];
  const r = spawnSync(cmd, [...pre, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 5 * 60 * 1000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? "", out: (r.stdout ?? "") + (r.stderr ?? "") };
}
