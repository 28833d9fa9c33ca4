/**
 * GPU test context: one per test process, created on first use. Without an adapter GPU suites are
 * skipped with a visible SKIP line, unless MAZO_REQUIRE_GPU=1 (set by CI), where that is a failure.
 */
import process from "node:process";
import { suite } from "uvu";
import { createGpuContext, type GpuContext, type GpuContextOptions } from "../../src/gpu/context.ts";

let shared: Promise<GpuContext | string> | null = null;

async function tryCreate(options: GpuContextOptions): Promise<GpuContext | string> {
  try {
    return await createGpuContext(options);
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The shared test context, or null after printing why GPU suite `name` is skipped. With
 * MAZO_REQUIRE_GPU=1 a missing adapter throws instead.
 */
export async function gpuOrSkip(name: string, options: GpuContextOptions = {}): Promise<GpuContext | null> {
  const fresh = Object.keys(options).length > 0;
  const got = fresh ? await tryCreate(options) : await (shared ??= tryCreate(options));
  if (typeof got !== "string") {
    if (process.env.MAZO_TEST_VERBOSE === "1") console.log(`gpu: ${name} on ${got.info.description} via ${got.path}`);
    return got;
  }
  if (process.env.MAZO_REQUIRE_GPU === "1") {
    throw new Error(`GPU suite ${name} cannot run and MAZO_REQUIRE_GPU=1: ${got}`);
  }
  console.log(`SKIP gpu suite ${name}: ${got.split("\n")[0]}`);
  return null;
}

/**
 * Runs `fn` inside validation, out-of-memory and internal error scopes and throws the first GPU error
 * any of them caught, so a validation error fails the test instead of printing a warning.
 */
export async function withErrorScopes<T>(ctx: GpuContext, fn: () => Promise<T> | T): Promise<T> {
  ctx.device.pushErrorScope("validation");
  ctx.device.pushErrorScope("out-of-memory");
  ctx.device.pushErrorScope("internal");
  let result: T;
  try {
    result = await fn();
  } finally {
    const errors = [await ctx.device.popErrorScope(), await ctx.device.popErrorScope(), await ctx.device.popErrorScope()];
    const first = errors.find((e) => e !== null);
    if (first) throw new Error(`GPU error inside the test: ${first.message}`);
  }
  ctx.throwIfFaulted();
  return result;
}

/**
 * Queues, after every suite of this file, the destruction of the context, so Node's process can exit
 * (Dawn keeps it alive while a device exists). Call once at the end of a GPU test file.
 */
export function releaseAfterSuites(ctx: GpuContext): void {
  const end = suite("");
  end.after(() => ctx.destroy());
  end.run();
}
