// Meta-tests: the GPU harness must fail when a kernel is wrong, writes out of bounds, or is invalid.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import type { KernelDef } from "../../src/gpu/pipelines.ts";
import { chunkBinding, uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { add } from "../../src/kernels/add.ts";
import { addRef } from "../../src/ref/add.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

// add with an off-by-one: writes x[i+1] and so runs one element past the end.
const BROKEN_ADD: KernelDef = {
  name: "broken_add",
  wgsl: `
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.n) { return; }
  x[i + 1u] = x[i] + y[i];
}`,
  entryPoint: "main",
  workgroupSize: () => [64, 1, 1],
};

const OVERSIZED: KernelDef = {
  name: "oversized",
  wgsl: `@compute @workgroup_size(1024) fn main() {}`,
  entryPoint: "main",
  workgroupSize: () => [1024, 1, 1],
};

const ctx = await gpuOrSkip("harness");
if (ctx) {
  const s = suite("gpu test harness");

  s("assertClose fails on a wrong reference and prints a table", async () => {
    const rng = rngFor("meta wrong ref");
    const xh = rng.normals(40);
    const yh = rng.normals(40);
    const x = uploadTensor(ctx, "meta.x", [5, 8], "f32", xh, "workspace");
    const y = uploadTensor(ctx, "meta.y", [5, 8], "f32", yh, "workspace");
    const rec = new Recorder(ctx, "meta");
    add(ctx, rec, x, y);
    rec.submit();
    const got = await readChecked(ctx, x);
    const wrong = Float32Array.from(xh); // forgot to add y
    assert.throws(() => assertClose(got, wrong, { atol: 1e-6, rtol: 1e-6, shape: [5, 8], label: "meta" }), /outside atol/);
  });

  s("sentinel check catches a kernel that writes past the end", async () => {
    const rng = rngFor("meta oob");
    const n = 64;
    const xh = rng.normals(n);
    const yh = rng.normals(n);
    const x = sentinelTensor(ctx, "meta.oob.x", [n]);
    writeTensor(ctx, x, xh);
    const y = uploadTensor(ctx, "meta.oob.y", [n], "f32", yh, "workspace");
    const rec = new Recorder(ctx, "meta.oob");
    rec.dispatch({ kernel: BROKEN_ADD, uniforms: [["u32", n]], storage: [chunkBinding(x.chunks[0]!), chunkBinding(y.chunks[0]!)], workgroups: [1] });
    rec.submit();
    let threw = false;
    try {
      const got = await readChecked(ctx, x);
      const want = Float32Array.from(xh);
      addRef(want, yh);
      assertClose(got, want, { atol: 1e-6, rtol: 0, label: "meta oob" });
    } catch (e) {
      threw = true;
      assert.match((e as Error).message, /out-of-bounds write|outside atol/);
    }
    assert.ok(threw, "a kernel writing past the end must fail the harness");
  });

  s("an oversized workgroup is a RangeError before any GPU work", () => {
    const rec = new Recorder(ctx, "meta.oversized");
    assert.throws(() => rec.dispatch({ kernel: OVERSIZED, storage: [], workgroups: [1] }), /exceeds the device's maxComputeInvocationsPerWorkgroup/);
  });

  s("withErrorScopes turns a validation error into a failure", async () => {
    let threw = false;
    try {
      await withErrorScopes(ctx, () => {
        ctx.device.createBuffer({ label: "meta.invalid", size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      });
    } catch (e) {
      threw = true;
      assert.match((e as Error).message, /GPU error inside the test/);
    }
    assert.ok(threw, "a validation error must fail the test");
  });

  s.run();
  releaseAfterSuites(ctx);
}
