/**
 * Collapse detection: a run can be destroyed without a single NaN (lr 1000 with eps 1 saturates every
 * output, so L+ = L- exactly and every projected gradient is 0 from then on, while the loss sits at the
 * uniform-guess value). The NaN guard never fires on that; this watch does: `limit` consecutive
 * non-skipped steps whose projected gradients are all exactly 0 mean the loss no longer depends on the
 * weights, and the run stops with the last checkpoint before the streak named.
 */
import { MazoNumericError } from "../io/errors.ts";
import type { StepRecord } from "../zo/trainer.ts";

/** Thrown when training has collapsed; `goodStep` is the last step before the streak began. */
export class CollapseError extends MazoNumericError {
  constructor(readonly firstStep: number, readonly lastStep: number, readonly goodStep: number, message: string) {
    super(message);
  }
}

/** Counts consecutive all-zero-g steps; `observe` returns the streak's first step once it reaches `limit`. */
export class CollapseWatch {
  private streak = 0;
  private first = -1;
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`collapseSteps must be a non-negative integer (0: off), got ${limit}`);
  }

  /** Feeds one step (1-based `done`); returns the first step of a streak that reached the limit, else null. */
  observe(rec: StepRecord, done: number): number | null {
    if (this.limit === 0 || rec.skipped) return null;
    const flat = rec.g.length > 0 && rec.g.every((g) => g === 0);
    if (!flat) {
      this.streak = 0;
      return null;
    }
    if (this.streak === 0) this.first = done;
    this.streak++;
    return this.streak >= this.limit ? this.first : null;
  }
}
