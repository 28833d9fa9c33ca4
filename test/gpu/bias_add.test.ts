import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { biasAdd } from "../../src/kernels/bias_add.ts";
import { biasAddRef } from "../../src/ref/bias_add.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

const ctx = await gpuOrSkip("bias_add");
if (ctx) {
  const s = suite("biasAdd()");
  for (const [rows, cols, maxRows] of [[1, 1, 0], [5, 3, 0], [17, 96, 0], [31, 7, 4]] as const) {
    s(`biasAdd() matches the reference on ${rows}x${cols}${maxRows ? ` split every ${maxRows} rows` : ""}`, async () => {
      const rng = rngFor(`bias ${rows}x${cols}`);
      const yh = rng.normals(rows * cols);
      const bh = rng.normals(cols);
      await withErrorScopes(ctx, async () => {
        const y = sentinelTensor(ctx, "bias.y", [rows, cols], maxRows || undefined);
        writeTensor(ctx, y, yh);
        const b = uploadTensor(ctx, "bias.b", [cols], "f32", bh, "workspace");
        const rec = new Recorder(ctx, "test.bias");
        biasAdd(ctx, rec, y, b);
        rec.submit();
        const got = await readChecked(ctx, y);
        biasAddRef(yh, bh, rows, cols);
        assertClose(got, yh, { atol: 0, rtol: 0, shape: [rows, cols], label: `biasAdd ${rows}x${cols}` });
      });
    });
  }
  s("biasAdd() rejects a bias of the wrong length", () => {
    const y = uploadTensor(ctx, "bias.y", [2, 3], "f32", new Float32Array(6), "workspace");
    const b = uploadTensor(ctx, "bias.b", [4], "f32", new Float32Array(4), "workspace");
    assert.throws(() => biasAdd(ctx, new Recorder(ctx, "x"), y, b), /expected \[3\]/);
  });
  s.run();
  releaseAfterSuites(ctx);
}
