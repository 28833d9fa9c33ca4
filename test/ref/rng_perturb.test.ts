// Host tables of the perturbation kernels (production src/zo/segments.ts and src/zo/grid.ts against
// hand-written expectations and against the separate code of src/ref/perturb.ts), and the exact mode's
// rounding on the CPU reference.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  gridExponent as gridExponentRef,
  gridPerturbRef,
  gridQuantizeRef,
  gridUpdateRef,
  maskPositionsRef,
  packSegmentsRef,
  perturbArenaRef,
  REF_GRID_PERTURB_OVERFLOW,
  roundHalfEven,
  segmentOf,
  updateArenaRef,
} from "../../src/ref/perturb.ts";
import { roundUniform, zValue } from "../../src/ref/rng.ts";
import { GRID_EXP_MAX, GRID_EXP_MIN, GRID_OFF_GRID, GRID_PERTURB_OVERFLOW, GRID_UPDATE_OVERFLOW, gridExponent } from "../../src/zo/grid.ts";
import { Z_MAX } from "../../src/zo/rng.ts";
import { maskPositions, packSegments, SEG_DECAY, SEG_WORDS, type ZoTensorOptions } from "../../src/zo/segments.ts";
import { rngFor } from "../harness/random.ts";

const s = suite("perturbation tables: production vs hand-written and vs reference");

const packers: [string, (segs: Uint32Array, elems: number, o?: ZoTensorOptions) => Uint32Array][] = [["packSegments", packSegments], ["packSegmentsRef", packSegmentsRef]];

s("both packers sort by start, drop empty segments and record decay and grid", () => {
  assert.is(SEG_WORDS, 8);
  assert.is(SEG_DECAY, 1);
  for (const [name, pack] of packers) {
    const t = pack(new Uint32Array([2, 50, 10, 0, 1, 0, 20, 5, 7, 30, 0, 0]), 60, { decay: (id) => id === 2, gridExp: (id) => -20 - id });
    assert.equal([...t], [1, 0, 20, 5, 0, (-21) >>> 0, 0, 0, 2, 50, 10, 0, 1, (-22) >>> 0, 0, 0], name);
    assert.throws(() => pack(new Uint32Array([0, 0, 5]), 10), /4 per segment/, name);
    assert.throws(() => pack(new Uint32Array([0, 0, 5, 0]), 10, { gridExp: () => 0.5 }), /gridExp/, name);
    assert.throws(() => pack(new Uint32Array([0, 0, 5, 0, 1, 4, 2, 0]), 10), /previous segment|overlaps/, name);
    assert.throws(() => pack(new Uint32Array([0, 8, 5, 0]), 10), /past the arena/, name);
  }
  const t = packSegments(new Uint32Array([2, 50, 10, 0, 1, 0, 20, 5]), 60);
  assert.is(segmentOf(t, 19), 0);
  assert.is(segmentOf(t, 20), -1);
  assert.is(segmentOf(t, 59), 1);
});

s("production and reference packers give the same table on 200 random arenas", () => {
  const rng = rngFor("pack prod vs ref");
  for (let trial = 0; trial < 200; trial++) {
    const n = rng.int(0, 12), segs: number[] = [];
    let at = 0;
    for (let k = 0; k < n; k++) {
      at += rng.int(0, 5);
      const count = rng.int(0, 40);
      segs.push(rng.int(0, 2 ** 32 - 1), at, count, rng.int(0, 1000));
      at += count;
    }
    const order = [...Array(n).keys()].sort(() => rng.next() - 0.5);
    const segments = new Uint32Array(order.flatMap((k) => segs.slice(4 * k, 4 * k + 4)));
    const opts = { decay: (id: number) => id % 3 === 0, gridExp: (id: number) => (id % 201) - 100 };
    assert.equal([...packSegments(segments, at + 3, opts)], [...packSegmentsRef(segments, at + 3, opts)], `trial ${trial}`);
  }
});

s("maskPositions() and the reference map flat indices through split segments alike", () => {
  const t = packSegments(new Uint32Array([5, 100, 30, 10, 5, 0, 10, 0, 6, 40, 5, 0]), 200);
  const masks = new Map([[5, new Uint32Array([0, 9, 10, 39])], [6, new Uint32Array([4])]]);
  assert.equal([...maskPositions(t, masks)], [0, 9, 100, 129, 44]);
  assert.equal([...maskPositionsRef(t, masks)], [0, 9, 100, 129, 44]);
  for (const f of [maskPositions, maskPositionsRef]) {
    assert.throws(() => f(t, new Map([[5, new Uint32Array([40])]])), /lies in no segment/);
    assert.throws(() => f(t, new Map([[5, new Uint32Array([3, 3])]])), /strictly increasing/);
  }
});

s("roundHalfEven() rounds ties to even like WGSL round()", () => {
  assert.equal([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven), [0, 2, 2, -0, -2, -2, 2, -3]);
});

s("grid constants and gridExponent(): production equals the reference and leaves room for 2x growth", () => {
  assert.equal([GRID_PERTURB_OVERFLOW, GRID_UPDATE_OVERFLOW, GRID_OFF_GRID, GRID_EXP_MIN, GRID_EXP_MAX], [1, 2, 4, -100, 100]);
  for (const [m, eps] of [[0.1, 1e-3], [3, 1e-2], [1e-4, 1e-3], [1, 1e-3], [0, 0], [0, 1e-3], [2 ** 80, 0], [0.5 - 3 * Z_MAX * 1e-3 / 2, 1e-3]] as const) {
    const g = gridExponent(m, eps);
    assert.is(g, gridExponentRef(m, eps), `maxAbs ${m} eps ${eps}`);
    if (m + eps === 0 || m > 2 ** 70) continue;
    assert.ok(2 * m + 3 * Z_MAX * eps <= 2 ** (g + 24), `g ${g} too fine for ${m}, ${eps}`);
    assert.ok(2 * m + 3 * Z_MAX * eps > 2 ** (g + 23), `g ${g} coarser than needed for ${m}, ${eps}`);
  }
  assert.is(gridExponent(1, 1e-3), -22); // 2 + 0.018 needs 2^2 = 2^(g+24)
  const t = packSegmentsRef(new Uint32Array([0, 0, 4, 0]), 4, { gridExp: () => -24 });
  // |theta| just under 1 = 2^(g+24): any perturbation pushes some |q| past 2^24.
  const theta = new Float32Array([0.99999994, -0.99999994, 0.99999994, -0.99999994]);
  assert.is(gridPerturbRef(theta, t, 3, 0.5, 1) & REF_GRID_PERTURB_OVERFLOW, REF_GRID_PERTURB_OVERFLOW);
});

s("float-mode restore drift on 2^18 N(0, 0.02) weights with eps 1e-3 is nonzero; the grid mode's is zero", () => {
  const rng = rngFor("drift ref");
  const n = 1 << 18;
  const theta = rng.normals(n, 0.02);
  const table = packSegmentsRef(new Uint32Array([0, 0, n, 0]), n);
  const a = theta.slice();
  for (const k of [1, -2, 1]) perturbArenaRef(a, table, 77, k * 1e-3);
  let drift = 0, changed = 0;
  for (let i = 0; i < n; i++) {
    drift = Math.max(drift, Math.abs(a[i]! - theta[i]!));
    if (a[i] !== theta[i]) changed++;
  }
  let maxAbs = 0;
  for (const v of theta) maxAbs = Math.max(maxAbs, Math.abs(v));
  const g = gridExponentRef(maxAbs, 1e-3);
  const gt = packSegmentsRef(new Uint32Array([0, 0, n, 0]), n, { gridExp: () => g });
  const q = theta.slice();
  gridQuantizeRef(q, gt);
  let quantErr = 0;
  for (let i = 0; i < n; i++) quantErr = Math.max(quantErr, Math.abs(q[i]! - theta[i]!));
  const b = q.slice();
  let status = 0;
  for (const k of [1, -2, 1]) status |= gridPerturbRef(b, gt, 77, 1e-3, k);
  let exactDrift = 0;
  for (let i = 0; i < n; i++) exactDrift = Math.max(exactDrift, Math.abs(b[i]! - q[i]!));
  console.log(`restore drift (TS = GPU bit for bit), 2^18 N(0, 0.02) weights, eps 1e-3: float mode ${drift.toExponential(3)} (${changed} elements changed); grid mode ${exactDrift} (grid 2^${g}, one-time quantisation error ${quantErr.toExponential(3)})`);
  assert.ok(drift > 0);
  assert.is(exactDrift, 0);
  assert.is(status, 0);
  assert.ok(quantErr <= 2 ** (g - 1));
});

const e = suite("exact mode: stochastic rounding of updates (reference)");

e("hand-computed elements on grid 1: q = 5 becomes 5 + floor(-f32(coef*z) + u), within one step of 5 - coef*z", () => {
  const t = packSegmentsRef(new Uint32Array([3, 0, 64, 0]), 64, { gridExp: () => 0 });
  // q = 5 is on the grid (frac 0), so the rule reduces to 5 + floor(u - coef*z): 4 when u < coef*z
  // (for coef*z in (0, 1)), 6 when u >= 1 + coef*z (for coef*z in (-1, 0)), else 5.
  const coef = 0.3;
  const theta = new Float32Array(64).fill(5);
  gridUpdateRef(theta, t, 11, coef, 0);
  for (let i = 0; i < 64; i++) {
    const sz = Math.fround(Math.fround(coef) * zValue(11, 3, i));
    const want = 5 + Math.floor(Math.fround(-sz + roundUniform(11, 3, i, coef)));
    assert.is(theta[i], want, `element ${i}: z ${zValue(11, 3, i)}`);
    assert.ok(Math.abs(theta[i]! - (5 - sz)) < 1, `element ${i} moved by more than one grid step from 5 - s`);
  }
});

e("one outlier of 1 among 65,536 N(0, 0.02) weights: an update of 1e-8 still moves the weights by the right amount", () => {
  const rng = rngFor("outlier ref");
  const n = 1 << 16, seed = 4242, coef = 1e-8, eps = 1e-3;
  const theta = rng.normals(n, 0.02);
  theta[1234] = 1;
  const g = gridExponentRef(1, eps); // -22: grid step 2.4e-7, 24x the update
  const table = packSegmentsRef(new Uint32Array([0, 0, n, 0]), n, { gridExp: () => g });
  const q = theta.slice();
  gridQuantizeRef(q, table);
  const before = q.slice();
  const status = gridUpdateRef(q, table, seed, coef, 0);
  const fl = theta.slice();
  updateArenaRef(fl, packSegmentsRef(new Uint32Array([0, 0, n, 0]), n), seed, coef, 0);
  // Movement projected on the update direction, over its expectation -coef * sum z^2.
  let moved = 0, movedFloat = 0, proj = 0, want = 0;
  for (let i = 0; i < n; i++) {
    const z = zValue(seed, 0, i);
    if (q[i] !== before[i]) moved++;
    if (fl[i] !== theta[i]) movedFloat++;
    proj += (q[i]! - before[i]!) * z;
    want += -coef * z * z;
    assert.ok(Math.abs(q[i]! - before[i]!) <= 2 ** g, `element ${i} moved more than one grid step`);
  }
  const ratio = proj / want;
  console.log(`exact mode, grid 2^${g}, update 1e-8 on ${n} N(0, 0.02) weights + one of 1: ${(100 * moved / n).toFixed(1)}% of entries moved (float mode ${(100 * movedFloat / n).toFixed(1)}%), movement along the update / expected = ${ratio.toFixed(3)}`);
  assert.is(status, 0);
  // Round-to-nearest moved none; stochastic rounding moves |s|/step of them, ~3.3% here.
  assert.ok(moved > n * 0.02, `only ${moved} of ${n} entries moved`);
  // E[ratio] = 1; its standard deviation is about 0.024 here, so +-0.15 is over 6 sigma.
  assert.ok(Math.abs(ratio - 1) < 0.15, `movement along the update is ${ratio} of the expected`);
});

e.run();
s.run();
