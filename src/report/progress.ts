/**
 * Progress of long work: on a TTY one rewritten status line (step, loss, steps/s, ETA); otherwise a
 * plain log line every `every` steps or `seconds`, whichever comes first; nothing with quiet.
 */

export interface ProgressSink {
  (text: string): void;
}

export class Progress {
  readonly #total: number;
  readonly #label: string;
  readonly #tty: boolean;
  readonly #quiet: boolean;
  readonly #write: ProgressSink;
  readonly #t0 = performance.now();
  #lastLog = 0;
  #startStep: number;
  readonly #everySteps: number;

  /** `everySteps`: off a TTY, also log every that many steps (besides every 10 s, the first and last). */
  constructor(o: { total: number; label: string; tty: boolean; quiet: boolean; write: ProgressSink; startStep?: number; everySteps?: number }) {
    this.#total = o.total;
    this.#label = o.label;
    this.#tty = o.tty;
    this.#quiet = o.quiet;
    this.#write = o.write;
    this.#startStep = o.startStep ?? 0;
    this.#everySteps = o.everySteps ?? 0;
  }

  /**
   * Reports that `step` (1-based) finished, with named values such as loss and g. `stepsPerSec`, when
   * the caller measured it (training time only), sets the rate and ETA; otherwise they come from the
   * wall time since this Progress was made, which includes loading and evaluation before step 1.
   */
  update(step: number, values: Readonly<Record<string, number | string>>, stepsPerSec?: number): void {
    if (this.#quiet) return;
    const secs = (performance.now() - this.#t0) / 1000;
    const done = step - this.#startStep;
    const rate = stepsPerSec !== undefined && Number.isFinite(stepsPerSec) && stepsPerSec > 0 ? stepsPerSec : done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (this.#total - step) / rate : Infinity;
    const vals = Object.entries(values).map(([k, v]) => `${k} ${typeof v === "number" ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : v}`).join("  ");
    const line = `${this.#label} step ${step}/${this.#total}  ${vals}  ${rate.toFixed(2)} steps/s  ETA ${fmtDuration(eta)}`;
    if (this.#tty) {
      this.#write(`\r\x1b[2K${line}`);
      if (step === this.#total) this.#write("\n");
      return;
    }
    const onCadence = this.#everySteps > 0 && step % this.#everySteps === 0;
    if (step === this.#total || step - this.#startStep === 1 || onCadence || secs - this.#lastLog >= 10) {
      this.#lastLog = secs;
      this.#write(line + "\n");
    }
  }

  /** A message on its own line (clears the TTY status line first). */
  note(text: string): void {
    if (this.#quiet) return;
    this.#write(this.#tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}

/** "1m05s", "42s", "—" for unknown. */
export function fmtDuration(secs: number): string {
  if (!Number.isFinite(secs)) return "?";
  const s = Math.round(secs);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
