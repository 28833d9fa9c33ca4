/**
 * Mask bookkeeping throughput: per-row top-k of a rows x cols score matrix (default 4096 x 4096) at keep
 * 1% and 10%, Wasm engine vs the TypeScript reference (a full sort per row), and row normalisation plus
 * the sum over 3 tasks for each mode, plus the index list <-> bitset conversions.
 *
 * Usage: npm run bench -- mask [--node] [--rows N] [--cols N] [--reps N] [--no-ref]
 * Prints one line per measurement: best wall time over the reps and elements per second.
 */
import process from "node:process";
import { bitsetToIndices, indicesToBitset } from "../src/mask/bitset.ts";
import { ROW_NORMS } from "../src/mask/checks.ts";
import { loadMaskEngine } from "../src/mask/engine.ts";
import { combineTaskScoresRef, rowTopKRef } from "../src/ref/mask.ts";
import { Rng } from "../test/harness/random.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`bench mask: --${name} is ${process.argv[i + 1]}; it must be a positive integer`);
  return v;
}
const rows = arg("rows", 4096), cols = arg("cols", 4096), reps = arg("reps", 5);
const withRef = !process.argv.includes("--no-ref");
const n = rows * cols;

/** Best wall time in ms of `reps` runs of f, and its last result. */
function time<T>(f: () => T, times: number): [number, T] {
  let best = Infinity, out: T | undefined;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    out = f();
    best = Math.min(best, performance.now() - t0);
  }
  return [best, out as T];
}

function report(what: string, ms: number, elems: number): void {
  console.log(`${what.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms  ${(elems / (ms / 1000) / 1e6).toFixed(1).padStart(8)} M scores/s`);
}

function sameU32(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const rng = new Rng(1234);
const scores = rng.normals(n);
const ties = Float32Array.from({ length: n }, () => rng.int(-2, 2));
const engine = await loadMaskEngine();
console.log(`mask bench: ${rows} x ${cols} (${(n / 1e6).toFixed(1)} M scores), best of ${reps}, runtime ${"Deno" in globalThis ? "deno" : "node"}`);

for (const keep of [0.01, 0.1]) {
  const [ms, got] = time(() => engine.rowTopK(scores, rows, cols, { keep }), reps);
  report(`rowTopK wasm, normal scores, keep ${keep * 100}%`, ms, n);
  const [mt] = time(() => engine.rowTopK(ties, rows, cols, { keep }), reps);
  report(`rowTopK wasm, integer scores in [-2, 2] (ties), keep ${keep * 100}%`, mt, n);
  if (withRef) {
    const [mr, want] = time(() => rowTopKRef(scores, rows, cols, { keep }), 1);
    report(`rowTopK TS reference (sort per row), keep ${keep * 100}%`, mr, n);
    console.log(`  wasm / reference speed-up ${(mr / ms).toFixed(1)}x; same indices: ${sameU32(got, want)}`);
  }
}

const tasks = [scores, rng.normals(n), rng.normals(n)];
for (const mode of ROW_NORMS) {
  const [ms, got] = time(() => engine.combineTaskScores(tasks, rows, cols, mode), Math.min(reps, 3));
  report(`combineTaskScores wasm, 3 tasks, ${mode}`, ms, 3 * n);
  if (withRef && (mode === "sum" || mode === "zscore")) {
    const [mr, want] = time(() => combineTaskScoresRef(tasks, rows, cols, mode), 1);
    report(`combineTaskScores TS reference, 3 tasks, ${mode}`, mr, 3 * n);
    console.log(`  wasm / reference speed-up ${(mr / ms).toFixed(1)}x; bit-identical: ${got.every((x, i) => Object.is(x, want[i]))}`);
  }
}
const [mc] = time(() => engine.combineAndSelect(tasks, rows, cols, "zscore", { keep: 0.01 }), Math.min(reps, 3));
report("combineAndSelect wasm, 3 tasks, zscore, keep 1% (to a Mask)", mc, 3 * n);

const idx = engine.rowTopK(scores, rows, cols, { keep: 0.1 });
const [mb, bits] = time(() => indicesToBitset(idx, n), reps);
report(`indicesToBitset, ${idx.length} indices (elements = tensor size)`, mb, n);
const [mi] = time(() => bitsetToIndices(bits, n), reps);
report(`bitsetToIndices, ${idx.length} set bits (elements = tensor size)`, mi, n);
