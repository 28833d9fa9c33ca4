import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadMaskEngine, type MaskEngine } from "../../src/mask/engine.ts";
import { keepToK } from "../../src/mask/keep.ts";
import { rowTopKRef } from "../../src/ref/mask.ts";
import { rngFor, TEST_SEED } from "../harness/random.ts";
import { assertSameArray, type ScoreKind, scores } from "./mask_inputs.ts";

const engine = await loadMaskEngine();
// A tiny block size forces several Wasm calls per matrix (a row is never split).
const blocked = await loadMaskEngine({ blockElems: 64 });

/**
 * Checks the top-k definition directly, independent of both implementations: each row has exactly k
 * ascending columns, and every kept entry precedes every dropped one in (score desc, column asc) order.
 */
function assertTopK(idx: Uint32Array, s: Float32Array, rows: number, cols: number, k: number, label: string): void {
  assert.is(idx.length, rows * k, `${label}: ${idx.length} indices, expected rows*k = ${rows * k}`);
  for (let r = 0; r < rows; r++) {
    const kept = new Set<number>();
    let prev = -1;
    for (let j = 0; j < k; j++) {
      const i = idx[r * k + j]!;
      const c = i - r * cols;
      if (!(c > prev && c < cols)) throw new Error(`${label}: row ${r} entry ${j} is column ${c} after ${prev} (seed ${TEST_SEED})`);
      kept.add(c);
      prev = c;
    }
    // The worst kept entry must beat the best dropped one.
    let worst = -1, best = -1;
    for (let c = 0; c < cols; c++) {
      const v = s[r * cols + c]!;
      if (kept.has(c)) {
        if (worst < 0 || v < s[r * cols + worst]! || (v === s[r * cols + worst]! && c > worst)) worst = c;
      } else if (best < 0 || v > s[r * cols + best]! || (v === s[r * cols + best]! && c < best)) best = c;
    }
    if (worst >= 0 && best >= 0) {
      const w = s[r * cols + worst]!, b = s[r * cols + best]!;
      if (!(w > b || (w === b && worst < best))) {
        throw new Error(`${label}: row ${r} keeps column ${worst} (${w}) but drops column ${best} (${b}) (seed ${TEST_SEED})`);
      }
    }
  }
}

const keepSuite = suite("keepToK()");
keepSuite("rounds keep*cols to nearest, halves up, and clamps to [0, cols]", () => {
  const table: [number, number, number][] = [[0, 4096, 0], [1, 4096, 4096], [0.01, 4096, 41], [0.1, 4096, 410], [0.004, 100, 0], [0.005, 100, 1], [0.995, 100, 100], [0.29, 100, 29], [0.5, 1, 1], [0.49, 1, 0], [0.3, 0, 0]];
  for (const [keep, cols, k] of table) assert.is(keepToK(keep, cols), k, `keepToK(${keep}, ${cols})`);
});
keepSuite("atLeastOne lifts a positive keep that rounds to 0 to 1, but not keep 0", () => {
  assert.is(keepToK(0.004, 100, true), 1);
  assert.is(keepToK(0.01, 4096, true), 41);
  assert.is(keepToK(0, 100, true), 0);
  assert.is(keepToK(0.5, 0, true), 0);
});
keepSuite("rejects a keep outside [0, 1] or NaN and a bad cols", () => {
  for (const keep of [-0.1, 1.01, NaN]) assert.throws(() => keepToK(keep, 10), (e: unknown) => e instanceof RangeError && /keep is/.test(String(e)));
  assert.throws(() => keepToK(0.5, 2.5), RangeError);
  assert.throws(() => keepToK(0.5, -1), RangeError);
});
keepSuite.run();

const s = suite("MaskEngine.rowTopK()");
const shapes: [number, number][] = [[1, 1], [1, 2], [3, 7], [5, 31], [2, 32], [7, 33], [13, 97], [4, 257], [3, 1000]];
const kinds: ScoreKind[] = ["normal", "ties", "clustered", "specials"];
for (const kind of kinds) {
  for (const [rows, cols] of shapes) {
    s(`matches the reference and the top-k definition on ${kind} ${rows}x${cols} for k = 0, 1, mid, cols-1, cols`, () => {
      const rng = rngFor(`rowTopK ${kind} ${rows}x${cols}`);
      const x = scores(rng, kind, rows, cols);
      const ks = [...new Set([0, 1, Math.floor(cols / 3), rng.int(0, cols), Math.max(0, cols - 1), cols])].filter((k) => k <= cols);
      for (const k of ks) {
        const label = `rowTopK ${kind} ${rows}x${cols} k=${k}`;
        const want = rowTopKRef(x, rows, cols, k);
        assertTopK(want, x, rows, cols, k, `${label} (reference)`);
        assertSameArray(engine.rowTopK(x, rows, cols, k), want, label);
        assertSameArray(blocked.rowTopK(x, rows, cols, k), want, `${label} in blocks of 64 elements`);
      }
    });
  }
}
s("takes k from a keep ratio, including keeps that round to 0 and to cols", () => {
  const rng = rngFor("rowTopK keep");
  const rows = 6, cols = 50;
  const x = scores(rng, "ties", rows, cols);
  for (const keep of [0, 0.009, 0.01, 0.1, 0.37, 0.99, 0.991, 1]) {
    for (const atLeastOne of [false, true]) {
      const k = keepToK(keep, cols, atLeastOne);
      const got = engine.rowTopK(x, rows, cols, { keep, atLeastOne });
      assert.is(got.length, rows * k, `keep ${keep} atLeastOne ${atLeastOne}`);
      assertSameArray(got, rowTopKRef(x, rows, cols, k), `keep ${keep} atLeastOne ${atLeastOne}`);
    }
  }
  assert.is(engine.rowTopK(x, rows, cols, { keep: 0.009 }).length, 0);
  assert.is(engine.rowTopK(x, rows, cols, { keep: 0.991 }).length, rows * cols);
});
s("breaks ties by the lower column, treating -0 and +0 as equal", () => {
  const x = Float32Array.from([0, -0, 0, -0, 5, -1, 0, 5]);
  assertSameArray(engine.rowTopK(x, 1, 8, 3), Uint32Array.from([0, 4, 7]), "two 5s then the first zero");
  assertSameArray(engine.rowTopK(x, 1, 8, 4), Uint32Array.from([0, 1, 4, 7]), "-0 at column 1 ties +0 at column 0");
  assertSameArray(engine.rowTopK(Float32Array.from([-0, 0]), 1, 2, 1), Uint32Array.from([0]), "-0 first wins against +0");
  assertSameArray(engine.rowTopK(new Float32Array(10).fill(3), 2, 5, 2), Uint32Array.from([0, 1, 5, 6]), "all equal");
});
s("ranks +Infinity first and -Infinity last, negatives below zero", () => {
  const x = Float32Array.from([-Infinity, -3, Infinity, -0.5, 2, -Infinity, Infinity]);
  assertSameArray(engine.rowTopK(x, 1, 7, 2), Uint32Array.from([2, 6]), "the two +Infinity");
  assertSameArray(engine.rowTopK(x, 1, 7, 4), Uint32Array.from([2, 3, 4, 6]), "then 2 and -0.5");
  assertSameArray(engine.rowTopK(x, 1, 7, 6), Uint32Array.from([0, 1, 2, 3, 4, 6]), "-Infinity at column 0 before column 5");
});
s("gives row r's indices as r*cols + c on a tall matrix across many blocks", () => {
  const rng = rngFor("rowTopK tall");
  const rows = 300, cols = 5;
  const x = scores(rng, "normal", rows, cols);
  const got = blocked.rowTopK(x, rows, cols, 2);
  assertSameArray(got, rowTopKRef(x, rows, cols, 2), "300x5 k=2");
  assert.ok(got[got.length - 1]! >= (rows - 1) * cols, "last row's indices start at (rows-1)*cols");
});
s("throws on a NaN score naming its row and column, for every k, like the reference", () => {
  const rows = 9, cols = 11;
  const x = scores(rngFor("rowTopK nan"), "normal", rows, cols);
  x[5 * cols + 7] = NaN;
  x[6 * cols + 1] = NaN;
  for (const k of [0, 3, cols]) {
    for (const [name, e] of [["engine", engine], ["blocked", blocked]] as [string, MaskEngine][]) {
      assert.throws(() => e.rowTopK(x, rows, cols, k), (err: unknown) => err instanceof Error && /row 5, column 7 is NaN/.test(String(err)), `${name} k=${k}`);
    }
    assert.throws(() => rowTopKRef(x, rows, cols, k), /row 5, column 7 is NaN/);
  }
  const one = Float32Array.from([NaN]);
  assert.throws(() => engine.rowTopK(one, 1, 1, 1), /row 0, column 0 is NaN/);
});
s("rejects a bad k, a wrong length and bad dimensions with RangeError", () => {
  const x = new Float32Array(12);
  for (const k of [-1, 5, 1.5, NaN]) assert.throws(() => engine.rowTopK(x, 3, 4, k), (e: unknown) => e instanceof RangeError && /k is/.test(String(e)), `k=${k}`);
  assert.throws(() => engine.rowTopK(x, 3, 5, 1), (e: unknown) => e instanceof RangeError && /12 elements; expected rows\*cols = 3\*5 = 15/.test(String(e)));
  assert.throws(() => engine.rowTopK(x, -3, -4, 1), RangeError);
  assert.throws(() => engine.rowTopK(new Float32Array(0), 65536, 65536, 0), (e: unknown) => e instanceof RangeError && /2\^32 - 1/.test(String(e)));
});
s("returns an empty list for 0 rows or 0 columns", () => {
  assert.is(engine.rowTopK(new Float32Array(0), 0, 10, 3).length, 0);
  assert.is(engine.rowTopK(new Float32Array(0), 10, 0, 0).length, 0);
});
s.run();
