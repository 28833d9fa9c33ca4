/**
 * Fault injection for the reliability tests (issue 14), off unless MAZO_FAULT is set: the process is
 * killed with SIGKILL halfway through writing a file, to prove that a run killed at that moment leaves
 * the previous version intact and resumes to the same weights. MAZO_FAULT=kill-writing:<name>[:<n>]
 * kills during the n-th (default 1st) write of a file whose path ends in <name>. Deno and Node only.
 */
import process from "node:process";

let writes = new Map<string, number>();

/** Called by writeFileAtomic halfway through writing `path`; kills the process when MAZO_FAULT says so. */
export function midWriteFault(path: string): void {
  const spec = process.env.MAZO_FAULT;
  if (spec === undefined || !spec.startsWith("kill-writing:")) return;
  const [, name = "", nth = "1"] = spec.split(":");
  if (!path.replaceAll("\\", "/").endsWith(name)) return;
  const n = (writes.get(name) ?? 0) + 1;
  writes.set(name, n);
  if (n !== Number(nth)) return;
  // Deno's node:process emulation exits with code 1 on a self-SIGKILL; Deno.kill sends the real signal.
  const deno = (globalThis as { Deno?: { kill(pid: number, signal: string): void; pid: number } }).Deno;
  if (deno !== undefined) deno.kill(deno.pid, "SIGKILL");
  else process.kill(process.pid, "SIGKILL");
}

/** Forgets the write counts (tests running several scenarios in one process). */
export function resetFaults(): void {
  writes = new Map();
}
