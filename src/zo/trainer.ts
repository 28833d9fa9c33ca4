/**
 * The MeZO trainer (Malladi et al. 2023). One step, for each probe j of q:
 *   seed_j = probeSeed(run seed, step, j); scope.begin; perturb(+eps); L+ = loss(); perturb(-2eps);
 *   L- = loss(); restore; g_j = (L+ - L-) / (2 eps)
 * then the update theta -= sum_j (lr g_j / q) z_j + lr wd theta (decay once, on the tensors the scope
 * allows). Options: learning-rate schedule, q probes, weight decay, gradient-scalar clipping, momentum on
 * the projected gradient and a NaN/Inf guard. Nothing is stored per parameter: momentum keeps the last W
 * steps' (seed, g) pairs and re-applies their z with weights lr beta^age (docs/zo.md).
 *
 * Every step returns a StepRecord holding every seed and every coefficient the scope was given, so
 * replay.ts can redo the same scope calls without a forward pass.
 */
import type { GpuContext } from "../gpu/context.ts";
import { Recorder } from "../gpu/recorder.ts";
import { checkSchedule, type LrSchedule, lrAt } from "./schedule.ts";
import type { LossFn, ZoScope } from "./scope.ts";
import { probeSeed } from "./seeds.ts";

/** The ZO trainer's settings: seed, lr (or a schedule), eps, probes, weight decay, momentum, clipping, NaN guard. */
export interface ZoTrainerOptions {
  /** Run seed (u32): every probe seed derives from it. */
  readonly seed: number;
  /** Learning rate: a constant or a schedule. */
  readonly lr: number | LrSchedule;
  /** Perturbation size. */
  readonly eps: number;
  /** Weight decay (default 0): theta -= lr * wd * theta on the tensors the scope decays. */
  readonly weightDecay?: number;
  /** Probes per step, q (default 1): the step averages q estimates. */
  readonly probes?: number;
  /** Momentum beta on the projected gradient (default 0: plain ZO-SGD). */
  readonly momentum?: number;
  /** Steps of history the momentum re-applies (default: enough that beta^W < 1e-3, at most 32). */
  readonly momentumWindow?: number;
  /** Clip each g_j to [-clip, clip] (default: no clipping). */
  readonly clip?: number;
  /** Abort after this many consecutive steps with a non-finite loss (default 10). */
  readonly maxNonFinite?: number;
}

/** One call of scope.update: theta -= coef z(seed) + decay theta. */
export interface ZoUpdate {
  readonly seed: number;
  readonly coef: number;
  readonly decay: number;
}

/** What one step did: enough to replay it bit for bit. */
export interface StepRecord {
  readonly step: number;
  /** Seeds of the probes that ran (all q, or fewer when a non-finite loss stopped the step). */
  readonly seeds: number[];
  /** Projected gradient per probe (before clipping; NaN when a loss was not finite). */
  readonly g: number[];
  readonly lossPlus: number[];
  readonly lossMinus: number[];
  /** Learning rate of this step. */
  readonly lr: number;
  readonly eps: number;
  readonly wd: number;
  /** Mean of (L+ + L-) / 2 over the probes: the step's training loss. */
  readonly loss: number;
  /** The scope.update calls in order (empty when skipped). */
  readonly updates: ZoUpdate[];
  readonly skipped: boolean;
  readonly reason?: string;
  /** Wall time of the step. */
  readonly ms: number;
}

/** The trainer's state between steps, JSON-serialisable for checkpoints. */
export interface ZoTrainerState {
  readonly version: 1;
  /** Next step to run. */
  readonly step: number;
  /** Momentum history, newest last: each step's (seed, g/q after clipping) pairs. */
  readonly window: { step: number; seeds: number[]; gq: number[] }[];
  readonly skippedTotal: number;
  readonly consecutiveNonFinite: number;
}

/** Thrown when too many consecutive steps had a non-finite loss; carries the last step's record. */
export class ZoAbortError extends Error {
  override readonly name = "ZoAbortError";
  readonly record: StepRecord;
  constructor(message: string, record: StepRecord) {
    super(message);
    this.record = record;
  }
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(`ZoTrainer: ${msg}`);
}

/** Drives a ZoScope through MeZO steps. */
export class ZoTrainer {
  readonly ctx: GpuContext;
  readonly scope: ZoScope;
  readonly options: Readonly<ZoTrainerOptions>;
  readonly schedule: LrSchedule;
  readonly probes: number;
  readonly momentum: number;
  readonly window: number;
  #state: { step: number; window: { step: number; seeds: number[]; gq: number[] }[]; skippedTotal: number; consecutiveNonFinite: number };

  constructor(ctx: GpuContext, scope: ZoScope, options: ZoTrainerOptions, state?: ZoTrainerState) {
    check(Number.isInteger(options.seed) && options.seed >= 0 && options.seed < 2 ** 32, `seed must be a u32, got ${options.seed}`);
    check(options.eps > 0 && Number.isFinite(options.eps), `eps must be > 0, got ${options.eps}`);
    const wd = options.weightDecay ?? 0;
    check(wd >= 0 && Number.isFinite(wd), `weightDecay must be >= 0, got ${wd}`);
    this.probes = options.probes ?? 1;
    check(Number.isInteger(this.probes) && this.probes >= 1, `probes must be a positive integer, got ${this.probes}`);
    this.momentum = options.momentum ?? 0;
    check(this.momentum >= 0 && this.momentum < 1, `momentum must lie in [0, 1), got ${this.momentum}`);
    this.window = this.momentum === 0 ? 1 : options.momentumWindow ?? Math.min(32, Math.ceil(Math.log(1e-3) / Math.log(this.momentum)));
    check(Number.isInteger(this.window) && this.window >= 1, `momentumWindow must be a positive integer, got ${this.window}`);
    check(options.clip === undefined || options.clip > 0, `clip must be > 0, got ${options.clip}`);
    const maxNonFinite = options.maxNonFinite ?? 10;
    check(Number.isInteger(maxNonFinite) && maxNonFinite >= 1, `maxNonFinite must be a positive integer, got ${maxNonFinite}`);
    this.schedule = checkSchedule(typeof options.lr === "number" ? { kind: "constant", lr: options.lr } : options.lr);
    this.ctx = ctx;
    this.scope = scope;
    this.options = options;
    this.#state = state === undefined
      ? { step: 0, window: [], skippedTotal: 0, consecutiveNonFinite: 0 }
      : { step: state.step, window: state.window.map((w) => ({ step: w.step, seeds: [...w.seeds], gq: [...w.gq] })), skippedTotal: state.skippedTotal, consecutiveNonFinite: state.consecutiveNonFinite };
  }

  /** The next step's index. */
  get step(): number {
    return this.#state.step;
  }

  /** Steps skipped for a non-finite loss so far. */
  get skippedTotal(): number {
    return this.#state.skippedTotal;
  }

  /** A JSON-serialisable copy of the state (pass it to the constructor to resume). */
  state(): ZoTrainerState {
    const s = this.#state;
    return { version: 1, step: s.step, window: s.window.map((w) => ({ step: w.step, seeds: [...w.seeds], gq: [...w.gq] })), skippedTotal: s.skippedTotal, consecutiveNonFinite: s.consecutiveNonFinite };
  }

  /** Runs one MeZO step with `loss` evaluating the current batch under the current weights. */
  async stepWith(loss: LossFn): Promise<StepRecord> {
    const t0 = performance.now();
    const s = this.#state;
    const step = s.step;
    const eps = this.options.eps;
    const lr = lrAt(this.schedule, step);
    const wd = this.options.weightDecay ?? 0;
    const seeds: number[] = [], g: number[] = [], lossPlus: number[] = [], lossMinus: number[] = [];
    const rec = new Recorder(this.ctx, `zo.step${step}`);
    let reason: string | undefined;
    for (let j = 0; j < this.probes && reason === undefined; j++) {
      const seed = probeSeed(this.options.seed, step, j);
      seeds.push(seed);
      this.scope.begin(rec);
      this.scope.perturb(rec, seed, eps);
      rec.submit();
      const lp = await loss();
      this.scope.perturb(rec, seed, -2 * eps);
      rec.submit();
      const lm = await loss();
      this.scope.restore(rec, seed, eps);
      rec.submit();
      lossPlus.push(lp);
      lossMinus.push(lm);
      g.push((lp - lm) / (2 * eps));
      if (!Number.isFinite(lp) || !Number.isFinite(lm)) reason = `non-finite loss at probe ${j}: L+ = ${lp}, L- = ${lm}`;
    }
    const updates: ZoUpdate[] = [];
    if (reason === undefined) {
      const clip = this.options.clip;
      const gq = g.map((x) => (clip === undefined ? x : Math.max(-clip, Math.min(clip, x))) / this.probes);
      s.window.push({ step, seeds: [...seeds], gq });
      while (s.window.length > this.window) s.window.shift();
      let decay = lr * wd;
      for (let age = 0; age < s.window.length; age++) {
        const w = s.window[s.window.length - 1 - age]!;
        const weight = lr * this.momentum ** age;
        w.seeds.forEach((seed, j) => {
          updates.push({ seed, coef: weight * w.gq[j]!, decay });
          decay = 0;
        });
      }
      for (const u of updates) this.scope.update(rec, u.seed, u.coef, u.decay);
      rec.submit();
      s.consecutiveNonFinite = 0;
    } else {
      s.skippedTotal++;
      s.consecutiveNonFinite++;
    }
    if (this.scope.verify !== undefined) await this.scope.verify();
    s.step++;
    let sum = 0;
    for (let j = 0; j < lossPlus.length; j++) sum += (lossPlus[j]! + lossMinus[j]!) / 2;
    const record: StepRecord = {
      step,
      seeds,
      g,
      lossPlus,
      lossMinus,
      lr,
      eps,
      wd,
      loss: sum / lossPlus.length,
      updates,
      skipped: reason !== undefined,
      ...(reason === undefined ? {} : { reason }),
      ms: performance.now() - t0,
    };
    const maxNonFinite = this.options.maxNonFinite ?? 10;
    if (s.consecutiveNonFinite >= maxNonFinite) {
      throw new ZoAbortError(`ZoTrainer: ${s.consecutiveNonFinite} consecutive steps had a non-finite loss (last: ${reason}); aborting`, record);
    }
    return record;
  }
}
