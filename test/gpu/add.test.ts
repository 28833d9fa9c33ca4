import { suite } from "uvu";
import { add } from "../../src/kernels/add.ts";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor, writeTensor } from "../../src/gpu/tensor.ts";
import { addRef } from "../../src/ref/add.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

const ctx = await gpuOrSkip("add");
if (ctx) {
  const s = suite("add()");
  const shapes: [number, number, number | undefined][] = [[1, 1, undefined], [3, 7, undefined], [17, 33, undefined], [1, 1000, undefined], [257, 13, 50], [64, 172, 7]];
  for (const [rows, cols, maxRows] of shapes) {
    s(`add() matches the reference on ${rows}x${cols}${maxRows ? ` split every ${maxRows} rows` : ""}`, async () => {
      const rng = rngFor(`add ${rows}x${cols}`);
      const xh = rng.normals(rows * cols);
      const yh = rng.normals(rows * cols);
      await withErrorScopes(ctx, async () => {
        const x = sentinelTensor(ctx, "add.x", [rows, cols], maxRows);
        writeTensor(ctx, x, xh);
        const y = uploadTensor(ctx, "add.y", [rows, cols], "f32", yh, "workspace", maxRows === undefined ? {} : { maxRowsPerChunk: maxRows });
        const rec = new Recorder(ctx, "test.add");
        add(ctx, rec, x, y);
        rec.submit();
        const got = await readChecked(ctx, x);
        const want = Float32Array.from(xh);
        addRef(want, yh);
        assertClose(got, want, { atol: 0, rtol: 0, shape: [rows, cols], label: `add ${rows}x${cols}` });
      });
    });
  }
  s.run();
  releaseAfterSuites(ctx);
}
