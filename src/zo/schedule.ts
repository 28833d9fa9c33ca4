/** Learning-rate schedules of the ZO trainer: constant, linear decay or cosine, each with optional linear warmup. */

export type LrScheduleKind = "constant" | "linear" | "cosine";

/** A learning-rate schedule: peak lr, kind, warmup steps and (for decays) the total steps. */
export interface LrSchedule {
  readonly kind: LrScheduleKind;
  /** Peak learning rate. */
  readonly lr: number;
  /** Steps of linear warmup from 0 to lr (default 0). */
  readonly warmup?: number;
  /** Total steps of the run (linear and cosine decay reach minLr at this step). */
  readonly totalSteps?: number;
  /** Final learning rate of linear and cosine decay (default 0). */
  readonly minLr?: number;
}

/** Throws a RangeError naming the first invalid field. */
export function checkSchedule(s: LrSchedule): LrSchedule {
  if (!["constant", "linear", "cosine"].includes(s.kind)) throw new RangeError(`lr schedule: kind must be constant, linear or cosine, got ${String(s.kind)}`);
  if (!Number.isFinite(s.lr) || s.lr < 0) throw new RangeError(`lr schedule: lr must be finite and >= 0, got ${s.lr}`);
  const warmup = s.warmup ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`lr schedule: warmup must be a non-negative integer, got ${warmup}`);
  if (s.kind !== "constant" && (s.totalSteps === undefined || !Number.isInteger(s.totalSteps) || s.totalSteps <= warmup)) {
    throw new RangeError(`lr schedule: ${s.kind} decay needs totalSteps, an integer > warmup (${warmup}), got ${s.totalSteps}`);
  }
  const minLr = s.minLr ?? 0;
  if (!Number.isFinite(minLr) || minLr < 0 || minLr > s.lr) throw new RangeError(`lr schedule: minLr must lie in [0, lr = ${s.lr}], got ${minLr}`);
  return s;
}

/** The learning rate of step `step` (0-based). */
export function lrAt(s: LrSchedule, step: number): number {
  const warmup = s.warmup ?? 0;
  if (step < warmup) return (s.lr * (step + 1)) / (warmup + 1);
  if (s.kind === "constant") return s.lr;
  const total = s.totalSteps!;
  const minLr = s.minLr ?? 0;
  const p = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  const shape = s.kind === "linear" ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
  return minLr + (s.lr - minLr) * shape;
}
