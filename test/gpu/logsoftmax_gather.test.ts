import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor } from "../../src/gpu/tensor.ts";
import { logSoftmaxGather } from "../../src/kernels/logsoftmax_gather.ts";
import { logSoftmaxGatherRef } from "../../src/ref/logsoftmax_gather.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { type Rng, rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

const TOL = { atol: 1e-5, rtol: 2e-6 };

interface Case {
  readonly name: string;
  readonly T: number;
  readonly V: number;
  /** Logits for row-major (T, V). */
  readonly logits: (rng: Rng, T: number, V: number) => Float32Array;
  /** Targets; random in [0, V) with every third one ignored (-1) unless given. */
  readonly targets?: (rng: Rng, T: number, V: number) => Int32Array;
  readonly withLse: boolean;
  readonly maxRowsPerChunk?: number;
}

const normal = (scale: number) => (rng: Rng, T: number, V: number) => rng.normals(T * V, scale);
const defaultTargets = (rng: Rng, T: number, V: number) => Int32Array.from({ length: T }, (_, t) => (t % 3 === 2 ? -1 : rng.int(0, V - 1)));

/** Uniform in [-80, 80], plus a row of all +80 and a row of -80 with one +80 spike (exp(160) overflows f32). */
function extreme(rng: Rng, T: number, V: number): Float32Array {
  const a = Float32Array.from({ length: T * V }, () => -80 + 160 * rng.next());
  a.fill(80, 0, V);
  a.fill(-80, V, 2 * V);
  a[V + rng.int(0, V - 1)] = 80;
  return a;
}

const cases: Case[] = [
  { name: "V 1", T: 3, V: 1, logits: normal(3), withLse: true },
  { name: "V 7", T: 5, V: 7, logits: normal(2), withLse: false },
  { name: "V 513", T: 4, V: 513, logits: normal(4), withLse: true },
  { name: "V 32000", T: 3, V: 32000, logits: normal(3), withLse: true },
  { name: "V 262144, one row", T: 1, V: 262144, logits: normal(3), withLse: false },
  { name: "V 513, logits of magnitude 80", T: 6, V: 513, logits: extreme, withLse: true },
  {
    name: "V 33 with ignored targets -1 and -100 and edge targets 0 and V-1",
    T: 6,
    V: 33,
    logits: normal(2),
    targets: () => Int32Array.from([0, -1, 32, -100, 5, -1]),
    withLse: true,
  },
  { name: "V 33 split every 2 rows (4 chunks)", T: 7, V: 33, logits: normal(2), withLse: true, maxRowsPerChunk: 2 },
  { name: "V 300 split every row, no logsumexp", T: 3, V: 300, logits: normal(2), withLse: false, maxRowsPerChunk: 1 },
];

const ctx = await gpuOrSkip("logsoftmax_gather");
if (ctx) {
  const s = suite("logSoftmaxGather()");

  async function run(label: string, T: number, V: number, logitsH: Float32Array, targetsH: Int32Array, withLse: boolean, maxRowsPerChunk?: number): Promise<{ out: Float32Array; lse: Float32Array | null; chunks: number }> {
    return await withErrorScopes(ctx!, async () => {
      const logits = uploadTensor(ctx!, `${label}.logits`, [T, V], "f32", logitsH, "workspace", maxRowsPerChunk === undefined ? {} : { maxRowsPerChunk });
      const targets = uploadTensor(ctx!, `${label}.targets`, [T], "i32", targetsH, "workspace");
      const out = sentinelTensor(ctx!, `${label}.out`, [T]);
      const lse = withLse ? sentinelTensor(ctx!, `${label}.lse`, [T]) : null;
      const rec = new Recorder(ctx!, `test.${label}`);
      logSoftmaxGather(ctx!, rec, logits, targets, out, lse === null ? {} : { logSumExp: lse });
      rec.submit();
      return { out: await readChecked(ctx!, out), lse: lse === null ? null : await readChecked(ctx!, lse), chunks: logits.chunks.length };
    });
  }

  for (const c of cases) {
    s(`logSoftmaxGather() matches the reference: T ${c.T}, ${c.name}${c.withLse ? ", with logsumexp" : ""}`, async () => {
      const rng = rngFor(`logsoftmax_gather ${c.name}`);
      const logitsH = c.logits(rng, c.T, c.V);
      const targetsH = (c.targets ?? defaultTargets)(rng, c.T, c.V);
      const wantOut = new Float32Array(c.T);
      const wantLse = new Float32Array(c.T);
      logSoftmaxGatherRef(logitsH, targetsH, c.V, wantOut, wantLse);
      const got = await run("lsg", c.T, c.V, logitsH, targetsH, c.withLse, c.maxRowsPerChunk);
      if (c.maxRowsPerChunk !== undefined) assert.is(got.chunks, Math.ceil(c.T / c.maxRowsPerChunk), "logits must be split");
      assertClose(got.out, wantOut, { ...TOL, label: `logSoftmaxGather out, ${c.name}` });
      if (got.lse !== null) assertClose(got.lse, wantLse, { ...TOL, label: `logSoftmaxGather logsumexp, ${c.name}` });
      for (let t = 0; t < c.T; t++) {
        if (targetsH[t]! < 0) assert.ok(Object.is(got.out[t], 0), `ignored target at row ${t} must give exactly 0, got ${got.out[t]}`);
        else assert.ok(got.out[t]! <= 1e-6 && Number.isFinite(got.out[t]!), `row ${t}: a log-probability must be finite and <= 0, got ${got.out[t]}`);
      }
      if (process.env.MAZO_TEST_VERBOSE === "1") {
        const d = got.out.reduce((m, x, i) => Math.max(m, Math.abs(x - wantOut[i]!)), 0);
        console.log(`logSoftmaxGather ${c.name}: max |diff| ${d.toExponential(2)}`);
      }
    });
  }

  s("logSoftmaxGather() log-probabilities of every target of one row sum to 1 after exp", async () => {
    const V = 513;
    const rng = rngFor("logsoftmax_gather sums to one");
    const row = rng.normals(V, 5);
    const logitsH = new Float32Array(V * V);
    for (let t = 0; t < V; t++) logitsH.set(row, t * V);
    const got = await run("lsg.sum", V, V, logitsH, Int32Array.from({ length: V }, (_, t) => t), false);
    const total = got.out.reduce((acc, x) => acc + Math.exp(x), 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `sum over v of exp(log p(v)) must be 1, got ${total}`);
  });

  s("logSoftmaxGather() gives NaN for a target >= V and leaves other rows right", async () => {
    const T = 4, V = 9;
    const rng = rngFor("logsoftmax_gather out of range");
    const logitsH = rng.normals(T * V);
    const targetsH = Int32Array.from([3, 9, 8, 1000]);
    const want = new Float32Array(T);
    logSoftmaxGatherRef(logitsH, targetsH, V, want);
    const got = await run("lsg.oor", T, V, logitsH, targetsH, false);
    assert.ok(Number.isNaN(got.out[1]) && Number.isNaN(got.out[3]), `targets 9 and 1000 with V 9 must give NaN, got ${got.out[1]}, ${got.out[3]}`);
    assertClose(got.out, want, { ...TOL, label: "logSoftmaxGather out of range" });
  });

  s("logSoftmaxGather() rejects mismatched shapes, dtypes and split (T) operands with a RangeError", () => {
    const f = (shape: number[], name: string, maxRowsPerChunk?: number) =>
      uploadTensor(ctx, `lsg.bad.${name}`, shape, "f32", new Float32Array(shape.reduce((a, b) => a * b, 1)), "workspace", maxRowsPerChunk === undefined ? {} : { maxRowsPerChunk });
    const logits = f([5, 11], "logits");
    const targets = uploadTensor(ctx, "lsg.bad.targets", [5], "i32", new Int32Array(5), "workspace");
    const out = f([5], "out");
    const rec = new Recorder(ctx, "test.lsg.bad");
    const rangeError = (re: RegExp) => (e: unknown) => e instanceof RangeError && re.test(e.message);
    assert.throws(() => logSoftmaxGather(ctx, rec, logits, targets, f([4], "out4")), rangeError(/out .* has shape \[4\], expected \[5\]/));
    assert.throws(() => logSoftmaxGather(ctx, rec, f([5, 11, 2], "logits3d"), targets, out), rangeError(/must have shape \[T, V\]/));
    assert.throws(() => logSoftmaxGather(ctx, rec, logits, uploadTensor(ctx, "lsg.bad.t6", [6], "i32", new Int32Array(6), "workspace"), out), rangeError(/targets .* expected \[5\]/));
    assert.throws(() => logSoftmaxGather(ctx, rec, logits, targets, out, { logSumExp: f([5], "lseSplit", 2) }), rangeError(/split into 3 chunks/));
    assert.throws(() => logSoftmaxGather(ctx, rec, logits, f([5], "targetsF32") as never, out), rangeError(/targets .* has dtype f32, expected i32/));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
