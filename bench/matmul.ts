/**
 * Benchmark: GFLOP/s of mazo's matmul (y = x Wᵀ) against @tensorflow/tfjs-backend-webgpu's
 * tf.matMul(x, w, false, true) on the same adapter and shapes, and the ratio ours/tfjs.
 *
 * Usage: npm run bench -- matmul [--node] [--quick] [--reps N] [--shapes TxKxN,...]
 *
 * A run records a batch of B calls, submits them and waits for the queue to report the work done
 * (onSubmittedWorkDone); both sides include recording, submission and the wait, neither a readback.
 * The batch amortizes the wait, which on Deno costs ~11 ms however little work there is (its device
 * poll interval). Reported: the median over `reps` runs (after `warmup` runs) of run time / B, and
 * GFLOP/s from 2*T*K*N flops per call.
 */
import process from "node:process";
import { createGpuContext, type GpuContext } from "../src/gpu/context.ts";
import { Recorder } from "../src/gpu/recorder.ts";
import { readTensor, uploadTensor } from "../src/gpu/tensor.ts";
import { matmul, matmulVariantFor } from "../src/kernels/matmul.ts";
import { matmulRef } from "../src/ref/matmul.ts";

interface Shape {
  readonly T: number;
  readonly K: number;
  readonly N: number;
}

const DEFAULT_SHAPES: readonly Shape[] = [
  { T: 1024, K: 64, N: 64 },
  { T: 1024, K: 64, N: 172 },
  { T: 512, K: 2048, N: 2048 },
];

interface Args {
  readonly quick: boolean;
  readonly reps: number | undefined;
  readonly shapes: readonly Shape[];
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let reps: number | undefined;
  let shapes = DEFAULT_SHAPES;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--reps") {
      reps = Number(argv[++i]);
      if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`--reps needs a positive integer, got ${argv[i]}`);
    } else if (a === "--shapes") {
      const spec = argv[++i] ?? "";
      shapes = spec.split(",").map((s) => {
        const d = s.split("x").map(Number);
        if (d.length !== 3 || d.some((v) => !Number.isInteger(v) || v < 1)) throw new RangeError(`--shapes wants TxKxN[,TxKxN...], got ${JSON.stringify(s)}`);
        return { T: d[0]!, K: d[1]!, N: d[2]! };
      });
    } else throw new RangeError(`unknown argument ${JSON.stringify(a)}; valid: --quick, --reps N, --shapes TxKxN,...`);
  }
  return { quick, reps, shapes };
}

/** Flops per run the batch aims at, so the fixed wait is a small part of a run. */
const FLOPS_PER_RUN = 2e8;

/** Runs and batch size per shape: fewer runs for big problems so the bench stays short on software adapters. */
function repsFor(s: Shape, args: Args): { warmup: number; reps: number; batch: number } {
  const flops = 2 * s.T * s.K * s.N;
  const batch = Math.min(64, Math.max(1, Math.round(FLOPS_PER_RUN / flops)));
  const big = flops > 1e9;
  if (args.reps !== undefined) return { warmup: big ? 1 : 2, reps: args.reps, batch };
  if (args.quick) return big ? { warmup: 1, reps: 3, batch } : { warmup: 2, reps: 7, batch };
  return big ? { warmup: 2, reps: 7, batch } : { warmup: 3, reps: 21, batch };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function randomData(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** Median ms per call of `run`, which performs `batch` calls. */
async function timeRuns(warmup: number, reps: number, batch: number, run: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    ms.push((performance.now() - t0) / batch);
  }
  return median(ms);
}

interface Side {
  readonly ms: number;
  readonly out: Float32Array;
}

async function benchOurs(ctx: GpuContext, s: Shape, xh: Float32Array, wh: Float32Array, warmup: number, reps: number, batch: number): Promise<Side> {
  const x = uploadTensor(ctx, "bench.x", [s.T, s.K], "f32", xh, "activations");
  const w = uploadTensor(ctx, "bench.w", [s.N, s.K], "f32", wh, "weights");
  const y = uploadTensor(ctx, "bench.y", [s.T, s.N], "f32", new Float32Array(s.T * s.N), "activations");
  const rec = new Recorder(ctx, "bench.matmul");
  const ms = await timeRuns(warmup, reps, batch, async () => {
    for (let b = 0; b < batch; b++) matmul(ctx, rec, x, w, y);
    rec.submit();
    await ctx.device.queue.onSubmittedWorkDone();
  });
  ctx.throwIfFaulted();
  const out = await readTensor(ctx, y);
  for (const t of [x, w, y]) for (const c of t.chunks) ctx.memory.destroy(c.buffer);
  return { ms, out };
}

/** The slice of @tensorflow/tfjs-core and its WebGPU backend this bench uses. */
interface TfTensor {
  dispose(): void;
  data(): Promise<ArrayLike<number>>;
}
interface TfWebGpuBackend {
  readonly device: GPUDevice;
  readonly adapterInfo?: { readonly description?: string };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}
interface Tf {
  readonly version_core: string;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  backend(): TfWebGpuBackend;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  matMul(a: TfTensor, b: TfTensor, transposeA: boolean, transposeB: boolean): TfTensor;
}

async function loadTfjs(ctx: GpuContext): Promise<{ tf: Tf } | { why: string }> {
  try {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu === undefined) {
      // Node: tfjs looks for navigator.gpu at import time; hand it Dawn's GPU object.
      if (ctx.gpu === null) return { why: "no navigator.gpu and no GPU object to expose as one" };
      Object.defineProperty(globalThis, "navigator", { value: { ...(nav ?? {}), gpu: ctx.gpu }, configurable: true, writable: true });
    }
    const tfSpec = "@tensorflow/tfjs-core";
    const webgpuSpec = "@tensorflow/tfjs-backend-webgpu";
    const tf = (await import(tfSpec)) as Tf;
    await import(webgpuSpec);
    const ok = await tf.setBackend("webgpu");
    if (!ok) return { why: "tf.setBackend('webgpu') returned false" };
    await tf.ready();
    return { tf };
  } catch (e) {
    return { why: (e as Error).message.split("\n")[0]! };
  }
}

async function benchTfjs(tf: Tf, s: Shape, xh: Float32Array, wh: Float32Array, warmup: number, reps: number, batch: number): Promise<Side> {
  const backend = tf.backend();
  const device: GPUDevice = backend.device;
  const x = tf.tensor2d(xh, [s.T, s.K]);
  const w = tf.tensor2d(wh, [s.N, s.K]);
  const ms = await timeRuns(warmup, reps, batch, async () => {
    const ys: TfTensor[] = [];
    for (let b = 0; b < batch; b++) ys.push(tf.matMul(x, w, false, true));
    // What tfjs itself does before a readback: close the open pass, submit the batched commands.
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
    await device.queue.onSubmittedWorkDone();
    for (const y of ys) y.dispose();
  });
  const yLast = tf.matMul(x, w, false, true);
  const out = Float32Array.from(await yLast.data());
  yLast.dispose();
  x.dispose();
  w.dispose();
  return { ms, out };
}

/** Rows of y checked against the float64 reference (a sample: the reference is slow on big shapes). */
const CHECK_ROWS = 4;

/** Largest |y - ref| over the first CHECK_ROWS rows. */
function refError(s: Shape, xh: Float32Array, wh: Float32Array, y: Float32Array): number {
  const rows = Math.min(s.T, CHECK_ROWS);
  const want = new Float32Array(rows * s.N);
  matmulRef(xh.subarray(0, rows * s.K), wh, want, rows, s.K, s.N);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(want[i]! - y[i]!));
  return m;
}

const args = parseArgs(process.argv.slice(2));
const ctx = await createGpuContext();
console.log(`matmul bench on ${ctx.info.description} via ${ctx.path} (${ctx.runtime}${ctx.info.software ? ", software adapter" : ""})`);
console.log(`shapes (T x K x N): ${args.shapes.map((s) => `${s.T}x${s.K}x${s.N}`).join(", ")}${args.quick ? " [quick]" : ""}`);
const tfjs = await loadTfjs(ctx);
if ("why" in tfjs) console.log(`tfjs-webgpu cannot run here: ${tfjs.why}; printing ours only`);
else console.log(`tfjs-webgpu ${tfjs.tf.version_core} on ${tfjs.tf.backend().adapterInfo?.description ?? "its own device on the same adapter"}`);

console.log("runs = warm-up + timed runs x calls per run (one submit and one wait per run); ms = median per call");
console.log(`${"shape, our kernel".padEnd(20)} ${"runs".padStart(9)} ${"ours ms".padStart(9)} ${"GFLOP/s".padStart(8)} ${"tfjs ms".padStart(9)} ${"GFLOP/s".padStart(8)} ${"ours/tfjs".padStart(9)}  max|err| ours, tfjs (first rows vs float64 reference)`);
for (const s of args.shapes) {
  const { warmup, reps, batch } = repsFor(s, args);
  const xh = randomData(s.T * s.K, 1);
  const wh = randomData(s.N * s.K, 2);
  const gflop = (2 * s.T * s.K * s.N) / 1e9;
  const ours = await benchOurs(ctx, s, xh, wh, warmup, reps, batch);
  const name = `${s.T}x${s.K}x${s.N} ${matmulVariantFor(ctx, s.K)}`.padEnd(20);
  const oursCols = `${`${warmup}+${reps}x${batch}`.padStart(9)} ${ours.ms.toFixed(3).padStart(9)} ${(gflop / (ours.ms / 1e3)).toFixed(2).padStart(8)}`;
  const oursErr = refError(s, xh, wh, ours.out).toExponential(1);
  if ("why" in tfjs) {
    console.log(`${name} ${oursCols}  ${oursErr}`);
    continue;
  }
  const theirs = await benchTfjs(tfjs.tf, s, xh, wh, warmup, reps, batch);
  console.log(
    `${name} ${oursCols} ${theirs.ms.toFixed(3).padStart(9)} ${(gflop / (theirs.ms / 1e3)).toFixed(2).padStart(8)} ${(theirs.ms / ours.ms).toFixed(2).padStart(8)}x  ${oursErr}, ${refError(s, xh, wh, theirs.out).toExponential(1)}`,
  );
}
ctx.destroy();
if ("tf" in tfjs) tfjs.tf.backend().device.destroy();
