// MaZO host logic on CPU: the score formula, the masks of every method and group option (production Wasm
// engine and plain reference selection, each against hand-computed selections, and against each other),
// the LoRA row rule, and the reference masked step against the closed form of a quadratic loss (outside
// entries bit-identical; keep = 100% equal to MeZO).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadMaskEngine } from "../../src/mask/engine.ts";
import type { TaskStats } from "../../src/mazo/calibrate.ts";
import { keptRows, loraBMask, rowImportance } from "../../src/mazo/lora_mask.ts";
import { buildMasks, maskOverlap, type MaskSelector, randomScores } from "../../src/mazo/masks.ts";
import { masksByArena } from "../../src/mazo/masked_scope.ts";
import { taskScores } from "../../src/mazo/scores.ts";
import { canonicalTensors } from "../../src/model/canonical.ts";
import type { ModelConfig } from "../../src/model/config.ts";
import type { ParamStore } from "../../src/model/param_store.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { buildMasksRef, REF_SELECTOR, refScopeOf, zoStepRef } from "../../src/ref/mazo.ts";
import { zValue } from "../../src/zo/rng.ts";
import { type Rng, rngFor } from "../harness/random.ts";

// Loaded before any suite runs (a top-level await between suites would split uvu's run in two).
const engine = await loadMaskEngine();

const CONFIG: ModelConfig = {
  arch: "llama", dim: 16, hiddenDim: 23, nLayers: 2, nHeads: 2, nKvHeads: 1, headDim: 8, vocabSize: 11, maxSeqLen: 8,
  ropeTheta: 10000, normEps: 1e-5, ropeLayout: "adjacent", tiedEmbeddings: false, attnBias: false,
} as ModelConfig;

function randomWeights(rng: Rng): HostWeights {
  return { config: { ...CONFIG }, tensors: canonicalTensors(CONFIG).map((s) => ({ name: s.name, shape: [...s.shape], data: rng.normals(s.shape.reduce((a, b) => a * b, 1), 0.1) })) };
}

function randomStats(rng: Rng, w: HostWeights, task: string): TaskStats {
  const norms = new Map<string, Float32Array>();
  for (const t of w.tensors) if (t.shape.length === 2 && t.name.startsWith("layers.")) norms.set(t.name, Float32Array.from({ length: t.shape[1]! }, () => 0.1 + rng.next() * 3));
  return { task, sequences: 1, tokens: 1, norms };
}

const sc = suite("taskScores()");
sc("equals |W|*xn + a*rowmean|W|*xn + b*|W|*mean(xn) on a 5x7 weight", () => {
  const rng = rngFor("scores");
  const w = rng.normals(35), xn = Float32Array.from({ length: 7 }, () => rng.next() * 2);
  const got = taskScores(w, 5, 7, xn, { a: 0.7, b: 0.3 });
  const xbar = xn.reduce((a, b) => a + b, 0) / 7;
  for (let i = 0; i < 5; i++) {
    let rbar = 0;
    for (let j = 0; j < 7; j++) rbar += Math.abs(w[i * 7 + j]!) / 7;
    for (let j = 0; j < 7; j++) {
      const m = Math.abs(w[i * 7 + j]!);
      const want = m * xn[j]! + 0.7 * rbar * xn[j]! + 0.3 * m * xbar;
      assert.ok(Math.abs(got[i * 7 + j]! - want) <= 1e-6 * want, `(${i}, ${j}): ${got[i * 7 + j]} vs ${want}`);
    }
  }
});
sc("a = b = 0 gives the Wanda score |W_ij| * ||X_j||", () => {
  const w = Float32Array.from([1, -2, 3, -4]), xn = Float32Array.from([0.5, 2]);
  assert.equal(Array.from(taskScores(w, 2, 2, xn, { a: 0, b: 0 })), [0.5, 4, 1.5, 8]);
});
sc("rejects mismatched sizes and negative coefficients", () => {
  assert.throws(() => taskScores(new Float32Array(6), 2, 3, new Float32Array(2)), /cols = 3/);
  assert.throws(() => taskScores(new Float32Array(5), 2, 3, new Float32Array(3)), /rows\*cols/);
  assert.throws(() => taskScores(new Float32Array(6), 2, 3, new Float32Array(3), { a: -1 }), /a is -1/);
  assert.throws(() => taskScores(new Float32Array(6), 2, 3, Float32Array.from([1, NaN, 1])), /norm 1/);
});
sc.run();

const mk = suite("buildMasks()");
const rng = rngFor("masks");
const w = randomWeights(rng);
const stats = [randomStats(rng, w, "sst2"), randomStats(rng, w, "trec"), randomStats(rng, w, "copa")];
const matrices = w.tensors.filter((t) => t.shape.length === 2 && t.name.startsWith("layers."));
/** The selection a mask is built with: production's Wasm engine, and the plain-loop reference. */
const selectors: [string, MaskSelector][] = [["wasm engine", engine], ["reference", REF_SELECTOR]];

mk("every method keeps the same k in every row of every linear weight and freezes the other tensors", () => {
  for (const [sel, selector] of selectors) for (const method of ["mazo", "single-task", "sparse-mezo", "random"] as const) {
    const set = buildMasks(selector, w, stats, { method, keep: 0.2 });
    assert.equal([...set.masks.keys()], matrices.map((t) => t.name), method);
    for (const t of matrices) {
      const m = set.masks.get(t.name)!;
      const k = Math.max(1, Math.round(0.2 * t.shape[1]!));
      assert.ok(m.rowCounts.every((c) => c === k), `${sel} ${method} ${t.name}: rows keep ${[...new Set(m.rowCounts)]} instead of ${k}`);
    }
    assert.is(set.trainable, matrices.reduce((a, t) => a + t.shape[0]! * Math.max(1, Math.round(0.2 * t.shape[1]!)), 0));
  }
});
mk("mazo keeps, in each row, the entries with the largest sum of row-normalised task scores", () => {
  for (const [sel, selector] of selectors) {
    const set = buildMasks(selector, w, stats, { keep: 0.25, norm: "max", a: 0.5, b: 0.1 });
    const t = w.tensors.find((x) => x.name === "layers.1.w2")!;
    const [rows, cols] = t.shape as [number, number];
    const per = stats.map((s) => taskScores(t.data, rows, cols, s.norms.get(t.name)!, { a: 0.5, b: 0.1 }));
    const m = set.masks.get(t.name)!;
    for (let r = 0; r < rows; r++) {
      const total = Array.from({ length: cols }, (_, c) => per.reduce((a, s) => {
        let mx = 0;
        for (let j = 0; j < cols; j++) mx = Math.max(mx, Math.abs(s[r * cols + j]!));
        return a + s[r * cols + c]! / mx;
      }, 0));
      const kept = new Set(m.rowColumns(r));
      const minKept = Math.min(...[...kept].map((c) => total[c]!));
      assert.is(kept.size, Math.round(0.25 * cols), `${sel} row ${r}`);
      for (let c = 0; c < cols; c++) if (!kept.has(c)) assert.ok(total[c]! <= minKept + 1e-6, `${sel} row ${r}: dropped column ${c} (${total[c]}) beats a kept one (${minKept})`);
    }
  }
});
mk("sparse-mezo keeps the smallest |W| of each row", () => {
  for (const [sel, selector] of selectors) {
    const set = buildMasks(selector, w, [], { method: "sparse-mezo", keep: 0.25 });
    for (const t of matrices) {
      const cols = t.shape[1]!;
      const m = set.masks.get(t.name)!;
      for (let r = 0; r < t.shape[0]!; r++) {
        const kept = new Set(m.rowColumns(r));
        const row = Array.from(t.data.subarray(r * cols, (r + 1) * cols), Math.abs);
        const maxKept = Math.max(...[...kept].map((c) => row[c]!));
        assert.is(kept.size, Math.round(0.25 * cols), `${sel} ${t.name} row ${r}`);
        row.forEach((v, c) => assert.ok(kept.has(c) || v >= maxKept, `${sel} ${t.name} row ${r}: |W| ${v} dropped below kept ${maxKept}`));
      }
    }
  }
});
mk("random masks are reproducible from their seed and differ between seeds", () => {
  const a = buildMasks(REF_SELECTOR, w, [], { method: "random", keep: 0.25, seed: 1 });
  const b = buildMasks(REF_SELECTOR, w, [], { method: "random", keep: 0.25, seed: 1 });
  const c = buildMasks(REF_SELECTOR, w, [], { method: "random", keep: 0.25, seed: 2 });
  assert.is(maskOverlap(a, b), 1);
  assert.ok(maskOverlap(a, c) < 0.5, `seeds 1 and 2 overlap ${maskOverlap(a, c)}`);
  assert.equal(randomScores(1, 3, 4), randomScores(1, 3, 4));
});
mk("single-task equals mazo over that task's statistics alone", () => {
  const a = buildMasks(REF_SELECTOR, w, stats, { method: "single-task", task: "trec", keep: 0.2 });
  const b = buildMasks(REF_SELECTOR, w, [stats[1]!], { method: "mazo", keep: 0.2 });
  assert.is(maskOverlap(a, b), 1);
  assert.ok(maskOverlap(a, buildMasks(REF_SELECTOR, w, stats, { keep: 0.2 })) < 1, "three tasks must change the mask");
});
mk("others: full trains embeddings and norms whole, magnitude keeps their top |W| per row, frozen leaves them out", () => {
  const full = buildMasks(REF_SELECTOR, w, stats, { others: "full", keep: 0.2 });
  const mag = buildMasks(REF_SELECTOR, w, stats, { others: "magnitude", keep: 0.25 });
  for (const t of w.tensors.filter((x) => !matrices.includes(x))) {
    assert.is(full.masks.get(t.name)!.count, t.data.length, t.name);
    const m = mag.masks.get(t.name)!;
    const cols = t.shape.length === 1 ? t.shape[0]! : t.shape[1]!;
    assert.ok(m.rowCounts.every((c) => c === Math.round(0.25 * cols)), t.name);
  }
  assert.is(buildMasks(REF_SELECTOR, w, stats, { method: "full" }).trainable, matrices.reduce((a, t) => a + t.data.length, 0));
});
mk("rejects unknown methods, bad keep ratios and missing statistics", () => {
  assert.throws(() => buildMasks(REF_SELECTOR, w, stats, { method: "magic" as "mazo" }), /method/);
  assert.throws(() => buildMasks(REF_SELECTOR, w, stats, { keep: 0 }), /keep is 0/);
  assert.throws(() => buildMasks(REF_SELECTOR, w, [], { method: "mazo" }), /at least one task/);
  assert.throws(() => buildMasks(REF_SELECTOR, w, stats, { method: "single-task", task: "rte" }), /rte/);
  assert.throws(() => buildMasks(REF_SELECTOR, w, stats, { weights: ["norm"] }), /not a linear weight/);
});
mk("production buildMasks() with the Wasm engine equals buildMasksRef() for every method, keep and group option", () => {
  for (const method of ["mazo", "single-task", "sparse-mezo", "random"] as const) {
    for (const keep of [0.05, 0.3, 1]) {
      for (const others of ["frozen", "magnitude"] as const) {
        const opts = { method, keep, others, task: "copa" };
        const a = buildMasks(engine, w, stats, opts), b = buildMasksRef(w, stats, opts);
        assert.equal([...a.masks.keys()], [...b.masks.keys()]);
        for (const [name, m] of a.masks) assert.equal([...m.indices], [...b.masks.get(name)!.indices], `${method} keep ${keep} ${others}: ${name}`);
      }
    }
  }
});
mk.run();

const lora = suite("LoRA mask rule");
lora("B keeps all rank entries of the rows whose base-weight rows matter most; rows tie to the lower index", () => {
  // Row 2 has the largest weights on the high-norm input, row 0 the smallest.
  const wt = Float32Array.from([0.1, 0.1, 1, 1, 3, 3, 1, 1]);
  const xn = [Float32Array.from([1, 4])];
  const imp = rowImportance(wt, 4, 2, xn, { a: 0, b: 0 });
  assert.ok(imp[2]! > imp[1]! && imp[1]! === imp[3]! && imp[3]! > imp[0]!);
  assert.equal(Array.from(keptRows(imp, 0.5)), [1, 2]);
  assert.equal(Array.from(loraBMask(Uint32Array.from([1, 2]), 3)), [3, 4, 5, 6, 7, 8]);
  assert.throws(() => loraBMask(new Uint32Array(1), 0), /rank/);
});
lora.run();

const step = suite("zoStepRef()");
const loss = (x: HostWeights): number => {
  // A smooth function of every tensor: sum of sin(i) * v + 0.5 v^2, in float64.
  let s = 0;
  for (const t of x.tensors) for (let i = 0; i < t.data.length; i++) s += Math.sin(i + t.data.length) * t.data[i]! + 0.5 * t.data[i]! ** 2;
  return s;
};
const clone = (x: HostWeights): HostWeights => ({ config: { ...x.config }, tensors: x.tensors.map((t) => ({ ...t, shape: [...t.shape], data: t.data.slice() })) });

step("masked steps never change an entry outside the mask (bit-exact over 4 steps) and move the entries inside", () => {
  const set = buildMasks(REF_SELECTOR, w, stats, { keep: 0.2 });
  const x = clone(w);
  for (let s = 0; s < 4; s++) zoStepRef(x, refScopeOf(set), loss, { seed: 100 + s, eps: 1e-3, lr: 1e-2, weightDecay: 0.1 });
  let moved = 0;
  x.tensors.forEach((t, id) => {
    const m = set.masks.get(t.name);
    const before = w.tensors[id]!.data;
    for (let i = 0; i < t.data.length; i++) {
      const r = m === undefined ? -1 : Math.floor(i / m.cols);
      if (m !== undefined && m.has(r, i % m.cols)) moved += t.data[i] !== before[i] ? 1 : 0;
      else assert.ok(Object.is(t.data[i], before[i]), `${t.name}[${i}] changed outside the mask`);
    }
  });
  assert.ok(moved > 0.95 * set.trainable, `${moved} of ${set.trainable} masked entries moved`);
});
step("one masked step equals the closed form on the quadratic loss: g = sum (c + x) z, x -= lr g z + lr wd x", () => {
  // For L(x) = sum c_i x_i + x_i^2 / 2 the central difference is exact: g = sum over trained entries of
  // (c_i + x_i) z_i, with z of production's generator (src/zo/rng.ts) at (seed, tensor id, flat index).
  const set = buildMasks(selectors[0]![1], w, stats, { keep: 0.2, others: "magnitude" });
  const [seed, eps, lr, wd] = [4321, 1e-2, 1e-2, 0.1];
  const x = clone(w);
  const r = zoStepRef(x, refScopeOf(set), loss, { seed, eps, lr, weightDecay: wd });
  let g = 0;
  for (const [id, t] of w.tensors.entries()) {
    const m = set.masks.get(t.name);
    if (m !== undefined) for (const i of m.indices) g += (Math.sin(i + t.data.length) + t.data[i]!) * zValue(seed, id, i);
  }
  assert.ok(Math.abs(r.g - g) <= 1e-3 * Math.abs(g), `g ${r.g}, closed form ${g}`);
  let checked = 0;
  for (const [id, t] of w.tensors.entries()) {
    const m = set.masks.get(t.name);
    const decays = t.shape.length === 2 && t.name.startsWith("layers.");
    const inMask = new Set(m?.indices ?? []);
    for (let i = 0; i < t.data.length; i++) {
      const x0 = t.data[i]!;
      const want = inMask.has(i) ? x0 - lr * g * zValue(seed, id, i) - (decays ? lr * wd * x0 : 0) : x0;
      const tol = inMask.has(i) ? 1e-3 * lr * Math.abs(g) * 6 + 4e-7 * Math.abs(x0) : 0;
      assert.ok(Math.abs(x.tensors[id]!.data[i]! - want) <= tol, `${t.name}[${i}]: ${x.tensors[id]!.data[i]} vs closed form ${want}`);
      if (inMask.has(i)) checked++;
    }
  }
  assert.is(checked, set.trainable);
});
step("keep = 100% with every group trained equals the unmasked (MeZO) step bit for bit", () => {
  const set = buildMasks(REF_SELECTOR, w, stats, { keep: 1, others: "full" });
  const a = clone(w), b = clone(w);
  for (let s = 0; s < 3; s++) {
    const ra = zoStepRef(a, refScopeOf(set), loss, { seed: 7 + s, eps: 1e-3, lr: 1e-2, weightDecay: 0.1 });
    const rb = zoStepRef(b, "all", loss, { seed: 7 + s, eps: 1e-3, lr: 1e-2, weightDecay: 0.1 });
    assert.ok(Object.is(ra.g, rb.g), `step ${s}: g ${ra.g} vs ${rb.g}`);
  }
  a.tensors.forEach((t, id) => assert.equal(t.data, b.tensors[id]!.data, t.name));
});
step.run();

const split = suite("masksByArena()");
split("splits a tensor's indices over the arena buffers holding its rows", () => {
  // A fake store: tensor 0 (4x3) rows 0-1 in buffer 0, rows 2-3 in buffer 1; tensor 1 (5) in buffer 1.
  const entries = [{ id: 0, name: "a", numel: 12 }, { id: 1, name: "b", numel: 5 }];
  const store = {
    buffers: [{ segments: Uint32Array.from([0, 0, 6, 0]) }, { segments: Uint32Array.from([0, 0, 6, 6, 1, 64, 5, 0]) }],
    entry: (n: string | number) => entries.find((e) => e.name === n || e.id === n)!,
  } as unknown as ParamStore;
  const out = masksByArena(store, new Map([["a", Uint32Array.from([1, 5, 6, 11])], ["b", Uint32Array.from([4])]]));
  assert.equal(Array.from(out.get(0)!.get(0)!), [1, 5]);
  assert.equal(Array.from(out.get(1)!.get(0)!), [6, 11]);
  assert.equal(Array.from(out.get(1)!.get(1)!), [4]);
  assert.throws(() => masksByArena(store, new Map([["a", Uint32Array.from([3, 2])]])), /ascending/);
  assert.throws(() => masksByArena(store, new Map([["b", Uint32Array.from([5])]])), /past/);
});
split.run();
