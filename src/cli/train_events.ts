/**
 * Prints a fine-tuning run's events on the CLI: a progress bar on a TTY (log lines otherwise) for
 * steps, notes for progress messages and warnings. Fault injection for the resume tests also lives
 * here: MAZO_KILL_AFTER_STEP=N sends this process SIGKILL once step N is complete (after its checkpoint).
 */
import process from "node:process";
import { Progress } from "../report/progress.ts";
import type { FineTuneEvent } from "../train/events.ts";
import type { CliIO } from "./command.ts";

/** Options of {@link cliEvents}. */
export interface CliEventOptions {
  readonly label: string;
  readonly total: number;
  readonly quiet: boolean;
  readonly everySteps?: number;
  /** Show each step's projected gradients (text runs). */
  readonly showG?: boolean;
}

/** SIGKILL to this process (Deno's node:process emulation exits with code 1 instead, so use Deno.kill there). */
function killSelf(): void {
  const deno = (globalThis as { Deno?: { kill(pid: number, signal: string): void; pid: number } }).Deno;
  if (deno !== undefined) deno.kill(deno.pid, "SIGKILL");
  else process.kill(process.pid, "SIGKILL");
}

/** An onEvent handler printing to `io`'s stderr. */
export function cliEvents(io: CliIO, o: CliEventOptions): (e: FineTuneEvent) => void {
  const progress = new Progress({
    total: o.total,
    label: o.label,
    tty: io.isTTY,
    quiet: o.quiet,
    ...(o.everySteps !== undefined ? { everySteps: o.everySteps } : {}),
    write: (t) => (io.errWrite === undefined ? io.err(t.replace(/\n$/, "")) : io.errWrite(t)),
  });
  const killAfter = Number(process.env.MAZO_KILL_AFTER_STEP ?? NaN);
  return (e) => {
    if (e.type === "progress" || e.type === "warning") progress.note(e.message);
    else if (e.type === "step") {
      const r = e.record;
      const g = o.showG === true ? { g: r.g.map((x) => x.toExponential(2)).join(","), ...(r.skipped ? { skipped: "yes" } : {}) } : {};
      progress.update(e.step, { loss: r.loss, ...g, ...(e.devLoss !== undefined ? { dev: e.devLoss } : {}) }, e.stepsPerSec);
      if (killAfter === e.step) killSelf();
    }
  };
}
