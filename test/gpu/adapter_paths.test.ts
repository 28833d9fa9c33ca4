// Every GPU path of this runtime that exists here runs a kernel correctly: on Node the llvmpipe GLES
// (compatibility) path that auto prefers and the full-feature SwiftShader Vulkan path; on Deno
// navigator.gpu. Paths a runtime cannot take fail with a RangeError that lists the valid ones.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import type { BackendChoice } from "../../src/gpu/adapter.ts";
import { createGpuContext } from "../../src/gpu/context.ts";
import { Recorder } from "../../src/gpu/recorder.ts";
import { detectRuntime } from "../../src/gpu/runtime.ts";
import { readTensor, uploadTensor } from "../../src/gpu/tensor.ts";
import { matmul } from "../../src/kernels/matmul.ts";
import { matmulRef } from "../../src/ref/matmul.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";

const ctx = await gpuOrSkip("adapter paths");
if (ctx) {
  const s = suite("GPU paths");
  const runtime = detectRuntime();
  const paths: BackendChoice[] = runtime === "node"
    ? ["opengles", ...(existsSync("/usr/lib/chromium/vk_swiftshader_icd.json") ? (["swiftshader"] as const) : [])]
    : ["navigator"];
  for (const backend of paths) {
    s(`${runtime} --backend ${backend}: 33x64x65 matmul matches the reference with every limit granted`, async () => {
      const c = await createGpuContext({ backend });
      try {
        assert.ok(c.limits.maxComputeInvocationsPerWorkgroup >= 256, "requested 256 invocations per workgroup");
        assert.ok(c.limits.maxStorageBuffersPerShaderStage >= 8, "requested 8 storage buffers per stage");
        const rng = rngFor(`paths ${backend}`);
        const [T, K, N] = [33, 64, 65];
        const xh = rng.normals(T * K), wh = rng.normals(N * K);
        const x = uploadTensor(c, "x", [T, K], "f32", xh, "workspace");
        const w = uploadTensor(c, "w", [N, K], "f32", wh, "workspace");
        const y = uploadTensor(c, "y", [T, N], "f32", new Float32Array(T * N), "workspace");
        const rec = new Recorder(c, "paths");
        matmul(c, rec, x, w, y);
        rec.submit();
        const want = new Float32Array(T * N);
        matmulRef(xh, wh, want, T, K, N);
        assertClose(await readTensor(c, y), want, { atol: 1e-4, rtol: 1e-4, label: `matmul via ${backend}` });
        c.throwIfFaulted();
        if (backend === "swiftshader") assert.is(c.featureLevel, "core");
        if (backend === "opengles") assert.is(c.featureLevel, "compatibility");
      } finally {
        c.destroy();
      }
    });
  }
  s(`${runtime}: a backend this runtime cannot reach is a RangeError naming the valid ones`, async () => {
    try {
      await createGpuContext({ backend: runtime === "node" ? "navigator" : "vulkan" });
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match((e as Error).message, /use /);
    }
  });
  s.run();
  releaseAfterSuites(ctx);
}
