import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ROW_NORMS, type RowNorm } from "../../src/mask/checks.ts";
import { loadMaskEngine } from "../../src/mask/engine.ts";
import { combineTaskScoresRef, normaliseRowsRef, rowTopKRef } from "../../src/ref/mask.ts";
import { rngFor } from "../harness/random.ts";
import { assertSameArray, scores } from "./mask_inputs.ts";

const engine = await loadMaskEngine();
const blocked = await loadMaskEngine({ blockElems: 100 });
const shapes: [number, number][] = [[1, 1], [1, 5], [4, 1], [3, 7], [6, 33], [11, 97], [2, 300]];

/** Task scores with some all-zero rows and constant rows mixed in (zero divisors). */
function taskScores(label: string, rows: number, cols: number): Float32Array {
  const rng = rngFor(label);
  const x = scores(rng, rng.next() < 0.5 ? "normal" : "ties", rows, cols);
  for (let r = 0; r < rows; r++) {
    const u = rng.next();
    if (u < 0.15) x.fill(0, r * cols, (r + 1) * cols);
    else if (u < 0.3) x.fill(rng.normal() * 100, r * cols, (r + 1) * cols);
  }
  return x;
}

const n = suite("MaskEngine.normaliseRows()");
for (const mode of ROW_NORMS) {
  for (const [rows, cols] of shapes) {
    n(`matches the reference bit for bit in mode ${mode} on ${rows}x${cols}`, () => {
      const x = taskScores(`normalise ${mode} ${rows}x${cols}`, rows, cols);
      const want = normaliseRowsRef(x, rows, cols, mode);
      assertSameArray(engine.normaliseRows(x, rows, cols, mode), want, `${mode} ${rows}x${cols}`);
      assertSameArray(blocked.normaliseRows(x, rows, cols, mode), want, `${mode} ${rows}x${cols} in blocks of 100`);
    });
  }
}
n("gives each mode its defining row property", () => {
  const rows = 8, cols = 40;
  const x = scores(rngFor("normalise property"), "normal", rows, cols);
  const sum = engine.normaliseRows(x, rows, cols, "sum");
  const max = engine.normaliseRows(x, rows, cols, "max");
  const z = engine.normaliseRows(x, rows, cols, "zscore");
  assertSameArray(engine.normaliseRows(x, rows, cols, "none"), x, "none is the identity");
  for (let r = 0; r < rows; r++) {
    let l1 = 0, mx = 0, mean = 0, sq = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      l1 += Math.abs(sum[i]!);
      mx = Math.max(mx, Math.abs(max[i]!));
      mean += z[i]! / cols;
      assert.ok(Math.sign(sum[i]!) === Math.sign(x[i]!), `sum keeps the sign at ${r},${c}`);
    }
    for (let c = 0; c < cols; c++) sq += (z[r * cols + c]! - mean) ** 2 / cols;
    assert.ok(Math.abs(l1 - 1) < 1e-5, `row ${r}: sum |v| = ${l1}, expected 1`);
    assert.is(mx, 1, `row ${r}: max |v| is exactly 1`);
    assert.ok(Math.abs(mean) < 1e-6, `row ${r}: zscore mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(sq) - 1) < 1e-5, `row ${r}: zscore std ${Math.sqrt(sq)}`);
  }
});
n("maps all-zero rows (sum, max) and constant rows (zscore) to zeros", () => {
  const x = Float32Array.from([0, 0, 0, 2.5, 2.5, 2.5]);
  assertSameArray(engine.normaliseRows(x, 2, 3, "sum").subarray(0, 3), new Float32Array(3), "sum of a zero row");
  assertSameArray(engine.normaliseRows(x, 2, 3, "max").subarray(0, 3), new Float32Array(3), "max of a zero row");
  assertSameArray(engine.normaliseRows(x, 2, 3, "zscore"), new Float32Array(6), "zscore of constant rows");
  assertSameArray(engine.normaliseRows(x, 2, 3, "max").subarray(3), Float32Array.from([1, 1, 1]), "max of a constant row");
});
n("throws on NaN or +-Infinity naming the row and column, like the reference", () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const x = scores(rngFor("normalise bad"), "normal", 5, 6);
    x[3 * 6 + 4] = bad;
    x[4 * 6 + 0] = bad;
    for (const mode of ROW_NORMS) {
      let want = "";
      try {
        normaliseRowsRef(x, 5, 6, mode);
      } catch (e) {
        want = String(e);
      }
      assert.match(want, `score at row 3, column 4 is ${bad}`);
      assert.throws(() => engine.normaliseRows(x, 5, 6, mode), (e: unknown) => e instanceof Error && String(e) === want, `${mode} ${bad}`);
      assert.throws(() => blocked.normaliseRows(x, 5, 6, mode), (e: unknown) => e instanceof Error && String(e) === want, `${mode} ${bad} blocked`);
    }
  }
});
n("rejects an unknown mode with TypeError and a wrong length with RangeError", () => {
  assert.throws(() => engine.normaliseRows(new Float32Array(4), 2, 2, "l2" as RowNorm), (e: unknown) => e instanceof TypeError && /"l2"/.test(String(e)));
  assert.throws(() => engine.normaliseRows(new Float32Array(4), 2, 3, "sum"), RangeError);
});
n.run();

const c = suite("MaskEngine.combineTaskScores()");
for (const mode of ROW_NORMS) {
  for (const [rows, cols] of shapes) {
    c(`matches the reference bit for bit for 3 tasks in mode ${mode} on ${rows}x${cols}`, () => {
      const list = [0, 1, 2].map((t) => taskScores(`combine ${mode} ${rows}x${cols} task ${t}`, rows, cols));
      const want = combineTaskScoresRef(list, rows, cols, mode);
      assertSameArray(engine.combineTaskScores(list, rows, cols, mode), want, `${mode} ${rows}x${cols}`);
      assertSameArray(blocked.combineTaskScores(list, rows, cols, mode), want, `${mode} ${rows}x${cols} in blocks of 100`);
    });
  }
}
c("equals f32 of the float64 sum of each task's normaliseRows", () => {
  const rows = 7, cols = 29;
  const list = [0, 1, 2, 3].map((t) => taskScores(`combine compose ${t}`, rows, cols));
  for (const mode of ROW_NORMS) {
    const parts = list.map((x) => engine.normaliseRows(x, rows, cols, mode));
    const want = new Float32Array(rows * cols);
    for (let i = 0; i < want.length; i++) want[i] = parts.reduce((a, p) => a + p[i]!, 0);
    assertSameArray(engine.combineTaskScores(list, rows, cols, mode), want, mode);
  }
});
c("with one task equals normaliseRows", () => {
  const x = taskScores("combine single", 5, 9);
  for (const mode of ROW_NORMS) assertSameArray(engine.combineTaskScores([x], 5, 9, mode), engine.normaliseRows(x, 5, 9, mode), mode);
});
c("combineAndSelect keeps the reference's top k of the combined scores", () => {
  const rows = 9, cols = 64;
  const list = [0, 1, 2].map((t) => taskScores(`combine select ${t}`, rows, cols));
  for (const mode of ROW_NORMS) {
    const m = engine.combineAndSelect(list, rows, cols, mode, { keep: 0.1 });
    assertSameArray(m.indices, rowTopKRef(combineTaskScoresRef(list, rows, cols, mode), rows, cols, 6), mode);
    assert.is(m.count, rows * 6);
  }
});
c("throws on the first non-finite score in (row, task, column) order, naming the task", () => {
  const rows = 6, cols = 5;
  const list = [0, 1, 2].map((t) => scores(rngFor(`combine nan ${t}`), "normal", rows, cols));
  list[0]![4 * cols + 1] = NaN;
  list[2]![2 * cols + 3] = -Infinity;
  list[1]![2 * cols + 4] = Infinity;
  const want = "Error: combineTaskScores: task 1 score at row 2, column 4 is Infinity; scores to normalise must be finite";
  assert.throws(() => combineTaskScoresRef(list, rows, cols, "zscore"), (e: unknown) => String(e) === want);
  assert.throws(() => engine.combineTaskScores(list, rows, cols, "zscore"), (e: unknown) => String(e) === want);
  assert.throws(() => blocked.combineTaskScores(list, rows, cols, "zscore"), (e: unknown) => String(e) === want);
});
c("rejects an empty task list and a task of the wrong length with RangeError", () => {
  assert.throws(() => engine.combineTaskScores([], 2, 2, "sum"), (e: unknown) => e instanceof RangeError && /empty/.test(String(e)));
  assert.throws(() => engine.combineTaskScores([new Float32Array(4), new Float32Array(5)], 2, 2, "sum"), (e: unknown) => e instanceof RangeError && /task 1's scores has 5 elements/.test(String(e)));
});
c.run();
