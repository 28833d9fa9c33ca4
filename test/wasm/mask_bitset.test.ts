import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bitsetCount, bitsetToIndices, bitsetWords, indicesToBitset, rowCounts } from "../../src/mask/bitset.ts";
import { Mask, MASK_PAD } from "../../src/mask/mask.ts";
import { instantiateMaskWasm } from "../../src/mask/wasm.ts";
import { rngFor } from "../harness/random.ts";
import { assertSameArray } from "./mask_inputs.ts";

/** A random ascending index set over `size` elements, each element kept with probability p. */
function randomIndices(label: string, size: number, p: number): Uint32Array {
  const rng = rngFor(label);
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (rng.next() < p) out.push(i);
  return Uint32Array.from(out);
}

const b = suite("bitset conversions");
for (const size of [0, 1, 31, 32, 33, 64, 97, 1000]) {
  for (const p of [0, 0.1, 0.5, 1]) {
    b(`indicesToBitset sets bit i & 31 of word i >> 5 and bitsetToIndices inverts it (size ${size}, density ${p})`, () => {
      const idx = randomIndices(`bitset ${size} ${p}`, size, p);
      const bits = indicesToBitset(idx, size);
      assert.is(bits.length, Math.ceil(size / 32));
      const inSet = new Set(idx);
      for (let i = 0; i < size; i++) {
        assert.is(((bits[Math.floor(i / 32)]! >>> (i % 32)) & 1) === 1, inSet.has(i), `bit ${i}`);
      }
      assert.is(bitsetCount(bits), idx.length);
      assertSameArray(bitsetToIndices(bits, size), idx, `round trip size ${size} p ${p}`);
    });
  }
}
b("indicesToBitset accepts any order and duplicates, and zeroes a given dst", () => {
  const dst = new Uint32Array(2).fill(0xffffffff);
  const bits = indicesToBitset(Uint32Array.from([40, 3, 40, 0, 63]), 64, dst);
  assert.is(bits, dst);
  assertSameArray(bits, Uint32Array.from([0b1001, 0x80000100]), "words");
});
b("rejects an index beyond the size, a wrongly sized bitset and stray bits past the size", () => {
  assert.throws(() => indicesToBitset(Uint32Array.from([0, 33]), 33), (e: unknown) => e instanceof RangeError && /indices\[1\] is 33/.test(String(e)));
  assert.throws(() => indicesToBitset(Uint32Array.from([0]), 33, new Uint32Array(1)), RangeError);
  assert.throws(() => bitsetToIndices(new Uint32Array(1), 33), (e: unknown) => e instanceof RangeError && /expected ceil\(33 \/ 32\) = 2/.test(String(e)));
  assert.throws(() => bitsetToIndices(Uint32Array.from([0, 0b10]), 33), (e: unknown) => e instanceof RangeError && /beyond the size 33/.test(String(e)));
  assert.is(bitsetWords(33), 2);
});
b("rowCounts counts the entries of each row", () => {
  const rows = 13, cols = 29;
  const idx = randomIndices("rowCounts", rows * cols, 0.3);
  const want = new Uint32Array(rows);
  for (const i of idx) want[Math.floor(i / cols)]!++;
  assertSameArray(rowCounts(idx, rows, cols), want, "counts");
  assert.throws(() => rowCounts(Uint32Array.from([rows * cols]), rows, cols), RangeError);
});
b.run();

const m = suite("Mask");
m("carries count, rowCounts, rowOffsets, bitset and per-entry membership of its index list", () => {
  const rows = 11, cols = 37;
  const idx = randomIndices("Mask", rows * cols, 0.2);
  const mask = new Mask(rows, cols, idx);
  assert.is(mask.count, idx.length);
  assert.is(mask.size, rows * cols);
  assert.is(mask.density, idx.length / (rows * cols));
  assertSameArray(mask.rowCounts, rowCounts(idx, rows, cols), "rowCounts");
  assert.is(mask.rowOffsets.length, rows + 1);
  assert.is(mask.rowOffsets[rows], idx.length);
  const inSet = new Set(idx);
  for (let r = 0; r < rows; r++) {
    assert.is(mask.rowOffsets[r + 1]! - mask.rowOffsets[r]!, mask.rowCounts[r]!);
    const colsKept = mask.rowColumns(r);
    assertSameArray(colsKept, Uint32Array.from([...idx].filter((i) => Math.floor(i / cols) === r).map((i) => i - r * cols)), `row ${r} columns`);
    for (let c = 0; c < cols; c++) assert.is(mask.has(r, c), inSet.has(r * cols + c), `has(${r}, ${c})`);
  }
  assertSameArray(mask.bitset, indicesToBitset(idx, rows * cols), "bitset");
  const again = Mask.fromBitset(rows, cols, mask.bitset);
  assertSameArray(again.indices, idx, "fromBitset(bitset).indices");
  assertSameArray(again.rowCounts, mask.rowCounts, "fromBitset rowCounts");
});
m("paddedIndices pads with MASK_PAD to a positive multiple, also for an empty mask", () => {
  const mask = new Mask(2, 10, Uint32Array.from([1, 4, 12, 18, 19]));
  const padded = mask.paddedIndices(4);
  assert.is(padded.length, 8);
  assertSameArray(padded.subarray(0, 5), mask.indices, "prefix");
  assertSameArray(padded.subarray(5), new Uint32Array(3).fill(MASK_PAD), "padding");
  const empty = new Mask(3, 3, new Uint32Array(0));
  assertSameArray(empty.paddedIndices(), Uint32Array.from([MASK_PAD]), "empty mask pads to one entry");
  assert.is(empty.bitset.length, 1);
  assertSameArray(empty.rowCounts, new Uint32Array(3), "empty row counts");
  assert.throws(() => mask.paddedIndices(0), RangeError);
});
m("rejects unsorted, duplicate or out-of-range indices and out-of-range lookups", () => {
  assert.throws(() => new Mask(2, 3, Uint32Array.from([2, 1])), (e: unknown) => e instanceof RangeError && /strictly ascending/.test(String(e)));
  assert.throws(() => new Mask(2, 3, Uint32Array.from([1, 1])), RangeError);
  assert.throws(() => new Mask(2, 3, Uint32Array.from([6])), (e: unknown) => e instanceof RangeError && /below rows\*cols = 2\*3 = 6/.test(String(e)));
  const mask = new Mask(2, 3, Uint32Array.from([0, 5]));
  assert.throws(() => mask.has(2, 0), RangeError);
  assert.throws(() => mask.has(0, 3), RangeError);
  assert.throws(() => mask.rowColumns(-1), RangeError);
});
m.run();

const w = suite("assembly/mask bindings");
w("export heapBase, topkRows and combineRows with the arities the host calls", async () => {
  const ex = await instantiateMaskWasm();
  assert.is(ex.heapBase.length, 0);
  assert.is(ex.topkRows.length, 10);
  assert.is(ex.combineRows.length, 7);
  assert.ok(ex.heapBase() > 0 && ex.heapBase() <= ex.memory.buffer.byteLength);
});
w("topkRows writes base-offset indices at the pointers given and reports a NaN's offset", async () => {
  const ex = await instantiateMaskWasm();
  const p = Math.ceil(ex.heapBase() / 16) * 16;
  if (ex.memory.buffer.byteLength < p + 65536) ex.memory.grow(1);
  const cols = 4;
  new Float32Array(ex.memory.buffer, p, 8).set([1, 3, 2, 3, 0, -1, 7, 7]);
  const keys = p + 32, cand = keys + 16, hist = cand + 16, scratch = hist + 8192, out = scratch + 16;
  assert.is(ex.topkRows(p, 2, cols, 2, keys, cand, hist, scratch, out, 100), -1);
  assertSameArray(new Uint32Array(ex.memory.buffer, out, 4), Uint32Array.from([101, 103, 106, 107]), "out");
  new Float32Array(ex.memory.buffer, p, 8)[5] = NaN;
  assert.is(ex.topkRows(p, 2, cols, 2, keys, cand, hist, scratch, out, 0), 5);
});
w.run();
