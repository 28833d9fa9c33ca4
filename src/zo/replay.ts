/**
 * Replay: rebuilds fine-tuned weights from the base weights and a trajectory without a forward pass. For
 * every step it repeats exactly the scope calls the trainer made (begin, perturb(+eps), perturb(-2eps),
 * restore per probe, then the recorded updates), so float-mode restore drift is reproduced too and the
 * result is bit-identical to the trained weights on the same backend. Skipped steps still perturb and
 * restore, as training did.
 */
import type { GpuContext } from "../gpu/context.ts";
import { Recorder } from "../gpu/recorder.ts";
import type { ZoScope } from "./scope.ts";
import type { ReplayStep } from "./trajectory.ts";

/** Options of replaying trajectory steps onto a scope (no forward pass). */
export interface ReplayOptions {
  /** Called after each step (progress). */
  readonly onStep?: (step: number, total: number) => void;
  /** Wait for the GPU every this many steps (default 64), bounding queued work. */
  readonly syncEvery?: number;
}

/** Applies `steps` to the scope's parameters in order. */
export async function replay(ctx: GpuContext, scope: ZoScope, steps: readonly ReplayStep[], options: ReplayOptions = {}): Promise<void> {
  const rec = new Recorder(ctx, "zo.replay");
  const syncEvery = options.syncEvery ?? 64;
  for (let i = 0; i < steps.length; i++) {
    const r = steps[i]!;
    for (const seed of r.seeds) {
      scope.begin(rec);
      scope.perturb(rec, seed, r.eps);
      rec.submit();
      scope.perturb(rec, seed, -2 * r.eps);
      rec.submit();
      scope.restore(rec, seed, r.eps);
      rec.submit();
    }
    for (const u of r.updates) scope.update(rec, u.seed, u.coef, u.decay);
    rec.submit();
    if ((i + 1) % syncEvery === 0) await ctx.device.queue.onSubmittedWorkDone();
    options.onStep?.(i + 1, steps.length);
  }
  await ctx.device.queue.onSubmittedWorkDone();
  if (scope.verify !== undefined) await scope.verify();
}
