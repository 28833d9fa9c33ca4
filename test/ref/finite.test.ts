// NaN/Inf in weights is reported at load (issue 14): nonFinite() finds f32 NaN/Inf and f16/bf16 bit
// patterns with an all-ones exponent; loadModel() on a llama2.c file or a Hugging Face folder with one
// bad weight throws a MazoNumericError naming the tensor, the index (row, column) and the count;
// `mazo info --model` names it too (GPU suite: info uploads the weights).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MazoNumericError } from "../../src/io/errors.ts";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { nonFinite } from "../../src/model/finite.ts";
import { loadModel, writeHfFolder } from "../../src/model/load.ts";
import { parseLlama2c } from "../../src/model/llama2c.ts";
import { cli } from "../cli/spawn_cli.ts";
import { gpuOrSkip } from "../harness/gpu.ts";

const s = suite("nonFinite()");
s("finds the first NaN/Inf and counts them, in f32, f16 and bf16", () => {
  assert.is(nonFinite({ dtype: "f32", data: new Float32Array([1, 2, 3]) }), null);
  assert.equal(nonFinite({ dtype: "f32", data: new Float32Array([1, NaN, 3, -Infinity]) }), { first: 1, count: 2 });
  // f16: 0x7c00 +Inf, 0x7e00 NaN, 0x7bff the largest finite (65504)
  assert.equal(nonFinite({ dtype: "f16", bits: new Uint16Array([0x3c00, 0x7bff, 0xfc00, 0x7e00]) }), { first: 2, count: 2 });
  // bf16: 0x7f80 +Inf, 0x7fc0 NaN, 0x7f7f the largest finite
  assert.equal(nonFinite({ dtype: "bf16", bits: new Uint16Array([0x7f7f, 0x3f80, 0x7fc0]) }), { first: 2, count: 1 });
  assert.is(nonFinite({ dtype: "bf16", bits: new Uint16Array([0x7f7f, 0xff7f]) }), null);
});
s.run();

const dir = join(dataDir(), "stories260K");
const bytes = readBytes(join(dir, "stories260K.bin"));
const w = parseLlama2c(bytes);
const D = w.config.dim, V = w.config.vocabSize, L = w.config.nLayers;
const tmp = mkdtempSync(join(tmpdir(), "mazo-nan-"));
/** stories260K with float `i` of layers.0.wq (row-major (q, D)) set to `x`: the file and the HF folder. */
function poisoned(i: number, x: number): { bin: string; hf: string } {
  const b = bytes.slice();
  new DataView(b.buffer).setFloat32(28 + 4 * (V * D + L * D + i), x, true); // after tok_embeddings, rms_att (L, D)
  const bin = join(tmp, `nan-${i}.bin`);
  writeFileSync(bin, b);
  writeFileSync(join(tmp, "tok512.bin"), readBytes(join(dir, "tok512.bin")));
  const hf = join(tmp, `hf-${i}`);
  writeHfFolder(hf, parseLlama2c(b));
  return { bin, hf };
}

const l = suite("loadModel() with NaN/Inf weights");
l("a llama2.c file: names the tensor, the row and column, the count", async () => {
  const { bin } = poisoned(D + 3, NaN);
  try {
    await loadModel(bin);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, MazoNumericError);
    assert.match((e as Error).message, `nan-${D + 3}.bin: tensor layers.0.wq [${D}, ${D}] holds 1 non-finite value, the first NaN at index ${D + 3} (row 1, column 3)`);
  }
});
l("a Hugging Face folder: the same, for +Inf", async () => {
  const { hf } = poisoned(7, Infinity);
  try {
    await loadModel(hf);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, MazoNumericError);
    // The HF folder holds wq in the rotate_half row order, so only the tensor and the value are fixed.
    assert.match((e as Error).message, /tensor layers\.0\.wq \[\d+, \d+\] holds 1 non-finite value, the first Infinity at index \d+/);
  }
});
const ctx = await gpuOrSkip("mazo info with NaN weights");
if (!ctx) l.after(() => rmSync(tmp, { recursive: true, force: true }));
l.run();

if (ctx) {
  ctx.destroy();
  const c = suite("mazo info --model with NaN weights");
  c("fails naming the tensor instead of printing a model that gives <unk>", () => {
    const { bin } = poisoned(5, NaN);
    const r = cli(["info", "--model", bin]);
    assert.is(r.status, 1, r.out);
    assert.match(r.out, "tensor layers.0.wq");
    assert.match(r.out, "non-finite value");
  });
  c.after(() => rmSync(tmp, { recursive: true, force: true }));
  c.run();
}
