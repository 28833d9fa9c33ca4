/**
 * The coordinator's arithmetic: turning the q probe results of a step into its StepRecord. It runs the
 * real ZoTrainer (same schedule, clipping, momentum window, NaN guard and record layout as a
 * single-process run) over a scope that only counts calls, feeding it the workers' L+ and L- in probe
 * order, so no line of the trainer's math is repeated here. The weights live on the workers.
 */
import type { GpuContext } from "../gpu/context.ts";
import type { ZoScope } from "../zo/scope.ts";
import { type StepRecord, ZoTrainer, type ZoTrainerOptions } from "../zo/trainer.ts";

/** A scope without parameters: the trainer's calls change nothing (the workers hold the weights). */
function scalarScope(): ZoScope {
  return { kind: "swarm-scalars", trainable: 0, extraBytes: 0, begin() {}, perturb() {}, restore() {}, update() {}, destroy() {} };
}

/** Computes step records from probe losses, carrying the trainer state (momentum window) across steps. */
export class StepCommitter {
  readonly #trainer: ZoTrainer;

  constructor(ctx: GpuContext, options: ZoTrainerOptions) {
    this.#trainer = new ZoTrainer(ctx, scalarScope(), options);
  }

  /** The next step's index. */
  get step(): number {
    return this.#trainer.step;
  }

  get probes(): number {
    return this.#trainer.probes;
  }

  /**
   * The record of the next step from `losses(j)` = [L+, L-] of probe j. The trainer asks for probes in
   * order and stops at the first non-finite loss (a skipped step), as in a single-process run.
   */
  async next(losses: (probe: number) => Promise<readonly [number, number]>): Promise<StepRecord> {
    let calls = 0;
    const feed = async (): Promise<number> => {
      const j = calls >> 1;
      const pair = await losses(j);
      return pair[calls++ & 1]!;
    };
    return await this.#trainer.stepWith(feed);
  }

  /** Advances the state over an already committed record (coordinator takeover). */
  async replayRecord(r: StepRecord): Promise<void> {
    if (r.step !== this.step) throw new RangeError(`StepCommitter: record of step ${r.step} while at step ${this.step}`);
    const rec = await this.next((j) => Promise.resolve([r.lossPlus[j] ?? NaN, r.lossMinus[j] ?? NaN] as const));
    if (rec.updates.length !== r.updates.length || rec.updates.some((u, i) => u.coef !== r.updates[i]!.coef || u.seed !== r.updates[i]!.seed)) {
      throw new RangeError(`StepCommitter: step ${r.step} recomputed from its losses does not match the committed record (trainer options differ?)`);
    }
  }
}
