/**
 * The cost of a ZO step without its forward passes: one probe's scope calls (begin, perturb(+eps),
 * perturb(-2eps), restore) and one update, recorded, submitted and waited for; the part of a step the
 * mask changes. Median of repeats after a warm-up run (which compiles the pipelines).
 */
import type { GpuContext } from "../gpu/context.ts";
import { Recorder } from "../gpu/recorder.ts";
import type { ZoScope } from "../zo/scope.ts";
import { median, timeRuns } from "./stats.ts";

/** Median ms of the five scope calls of one single-probe step on `scope`. */
export async function benchScopeKernels(ctx: GpuContext, scope: ZoScope, reps: number): Promise<number> {
  let seed = 0;
  const times = await timeRuns(async () => {
    const rec = new Recorder(ctx, "bench.kernels");
    seed++;
    scope.begin(rec);
    scope.perturb(rec, seed, 1e-3);
    scope.perturb(rec, seed, -2e-3);
    scope.restore(rec, seed, 1e-3);
    scope.update(rec, seed, 1e-9, 0);
    rec.submit();
    await ctx.device.queue.onSubmittedWorkDone();
  }, reps, 1);
  return median(times);
}
