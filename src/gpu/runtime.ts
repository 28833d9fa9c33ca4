/** Which JavaScript runtime mazo is running on. */
export type Runtime = "deno" | "node" | "browser";

/** Detects the current runtime (Deno first: Deno also defines `process`). */
export function detectRuntime(): Runtime {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  if (g.Deno !== undefined) return "deno";
  if (g.process?.versions?.node !== undefined) return "node";
  return "browser";
}
