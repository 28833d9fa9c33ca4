/**
 * Seeded sampling of train/dev/test examples from a task's pools, and the fixed carving of a single
 * labelled file into pools for tasks that lack a labelled split.
 *
 * Sampling (MeZO's run.py does the same): the train pool is shuffled with a seed derived from
 * (seed, task, "train"); dev takes the first min(dev, pool) records and train the next
 * min(train, pool - dev) -- so when a pool is small, dev is filled first and train gets what is left.
 * Test takes the first min(test, pool) of the test pool shuffled with (seed, task, "test").
 * Train and dev are therefore always disjoint, and test never overlaps either (separate pools).
 */
import type { RawRecord, TaskPools } from "./record.ts";
import { deriveSeed, SeededRng, shuffled } from "./rng.ts";
import type { SplitSizes } from "./task.ts";

/** MeZO's sizes: 1000 train, 500 dev, 1000 test. */
export const MEZO_SIZES: SplitSizes = { train: 1000, dev: 500, test: 1000 };

/** The fixed seed that carves pools out of single labelled files (never the sampling seed). */
export const POOL_CARVE_SEED = 0x6d617a6f; // "mazo"

/** The records of each sampled split. */
export interface SampledRecords<R = RawRecord> {
  readonly train: readonly R[];
  readonly dev: readonly R[];
  readonly test: readonly R[];
}

function checkSize(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`split size ${name} must be a non-negative integer, got ${n}`);
}

/**
 * Samples train/dev/test records from `pools` with `seed` (see the module comment for the rule). With a
 * dev pool, dev is drawn from it (shuffled with (seed, task, "dev")) and train from the whole train pool.
 */
export function sampleSplits<R>(task: string, pools: TaskPools<R>, sizes: SplitSizes, seed: number): SampledRecords<R> {
  checkSize("train", sizes.train);
  checkSize("dev", sizes.dev);
  checkSize("test", sizes.test);
  const pool = shuffled(pools.train, new SeededRng(deriveSeed(seed, task, "train")));
  const test = shuffled(pools.test, new SeededRng(deriveSeed(seed, task, "test")));
  const testPart = test.slice(0, Math.min(sizes.test, test.length));
  if (pools.dev !== undefined) {
    const dev = shuffled(pools.dev, new SeededRng(deriveSeed(seed, task, "dev")));
    return { dev: dev.slice(0, Math.min(sizes.dev, dev.length)), train: pool.slice(0, Math.min(sizes.train, pool.length)), test: testPart };
  }
  const nDev = Math.min(sizes.dev, pool.length);
  const nTrain = Math.min(sizes.train, pool.length - nDev);
  return { dev: pool.slice(0, nDev), train: pool.slice(nDev, nDev + nTrain), test: testPart };
}

/**
 * Splits `records` into a test pool of `nTest` records and a train pool of the rest, with the fixed
 * {@link POOL_CARVE_SEED} (so the pools never depend on the sampling seed). Pool order follows the source.
 */
export function carvePools<R>(task: string, records: readonly R[], nTest: number): { train: R[]; test: R[] } {
  if (!Number.isInteger(nTest) || nTest < 0 || nTest > records.length) {
    throw new RangeError(`${task}: cannot carve a test pool of ${nTest} from ${records.length} records`);
  }
  const order = shuffled(records.map((_, i) => i), new SeededRng(deriveSeed(POOL_CARVE_SEED, task, "carve")));
  const isTest = new Uint8Array(records.length);
  for (const i of order.slice(0, nTest)) isTest[i] = 1;
  return { train: records.filter((_, i) => isTest[i] === 0), test: records.filter((_, i) => isTest[i] === 1) };
}
