import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  GRID_PERTURB_OVERFLOW,
  gridExponent,
  gridPerturbRef,
  gridUpdateRef,
  maskPositions,
  packSegments,
  perturbArenaRef,
  roundHalfEven,
  SEG_DECAY,
  SEG_WORDS,
  segmentOf,
} from "../../src/ref/perturb.ts";
import { Z_MAX } from "../../src/ref/rng.ts";
import { rngFor } from "../harness/random.ts";

const s = suite("perturbation references and tables");

s("packSegments() sorts by start, drops empty segments and records decay and grid", () => {
  const t = packSegments(new Uint32Array([2, 50, 10, 0, 1, 0, 20, 5, 7, 30, 0, 0]), 60, { decay: (id) => id === 2, gridExp: (id) => -20 - id });
  assert.is(t.length, 2 * SEG_WORDS);
  assert.equal([...t.subarray(0, 6)], [1, 0, 20, 5, 0, (-21) >>> 0]);
  assert.equal([...t.subarray(8, 14)], [2, 50, 10, 0, SEG_DECAY, (-22) >>> 0]);
  assert.is(segmentOf(t, 19), 0);
  assert.is(segmentOf(t, 20), -1);
  assert.is(segmentOf(t, 59), 1);
  assert.throws(() => packSegments(new Uint32Array([0, 0, 5]), 10), /4 per segment/);
  assert.throws(() => packSegments(new Uint32Array([0, 0, 5, 0]), 10, { gridExp: () => 0.5 }), /gridExp/);
});

s("maskPositions() maps flat indices through split segments", () => {
  const t = packSegments(new Uint32Array([5, 100, 30, 10, 5, 0, 10, 0, 6, 40, 5, 0]), 200);
  const pos = maskPositions(t, new Map([[5, new Uint32Array([0, 9, 10, 39])], [6, new Uint32Array([4])]]));
  assert.equal([...pos], [0, 9, 100, 129, 44]);
  assert.throws(() => maskPositions(t, new Map([[5, new Uint32Array([40])]])), /lies in no segment/);
});

s("roundHalfEven() rounds ties to even like WGSL round()", () => {
  assert.equal([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven), [0, 2, 2, -0, -2, -2, 2, -3]);
});

s("float-mode restore drift on 2^20 N(0, 0.02) weights with eps 1e-3 is nonzero; the grid mode's is zero", () => {
  const rng = rngFor("drift ref");
  const n = 1 << 20;
  const theta = rng.normals(n, 0.02);
  const table = packSegments(new Uint32Array([0, 0, n, 0]), n);
  const a = theta.slice();
  for (const k of [1, -2, 1]) perturbArenaRef(a, table, 77, k * 1e-3);
  let drift = 0, changed = 0;
  for (let i = 0; i < n; i++) {
    drift = Math.max(drift, Math.abs(a[i]! - theta[i]!));
    if (a[i] !== theta[i]) changed++;
  }
  let maxAbs = 0;
  for (const v of theta) maxAbs = Math.max(maxAbs, Math.abs(v));
  const g = gridExponent(maxAbs, 1e-3);
  const gt = packSegments(new Uint32Array([0, 0, n, 0]), n, { gridExp: () => g });
  const q = theta.slice();
  gridUpdateRef(q, gt, 0, 0, 0);
  let quantErr = 0;
  for (let i = 0; i < n; i++) quantErr = Math.max(quantErr, Math.abs(q[i]! - theta[i]!));
  const b = q.slice();
  let status = 0;
  for (const k of [1, -2, 1]) status |= gridPerturbRef(b, gt, 77, 1e-3, k);
  let exactDrift = 0;
  for (let i = 0; i < n; i++) exactDrift = Math.max(exactDrift, Math.abs(b[i]! - q[i]!));
  console.log(`restore drift (TS = GPU bit for bit), 2^20 N(0, 0.02) weights, eps 1e-3: float mode ${drift.toExponential(3)} (${changed} elements changed); grid mode ${exactDrift} (grid 2^${g}, one-time quantisation error ${quantErr.toExponential(3)})`);
  assert.ok(drift > 0);
  assert.is(exactDrift, 0);
  assert.is(status, 0);
  assert.ok(quantErr <= 2 ** (g - 1));
});

s("gridExponent() leaves room for 2x growth and the largest excursion, and overflow is flagged", () => {
  for (const [m, eps] of [[0.1, 1e-3], [3, 1e-2], [1e-4, 1e-3]] as const) {
    const g = gridExponent(m, eps);
    assert.ok(2 * m + 3 * Z_MAX * eps <= 2 ** (g + 24), `g ${g} too fine for ${m}, ${eps}`);
    assert.ok(2 * m + 3 * Z_MAX * eps > 2 ** (g + 23), `g ${g} coarser than needed for ${m}, ${eps}`);
  }
  const t = packSegments(new Uint32Array([0, 0, 4, 0]), 4, { gridExp: () => -24 });
  // |theta| just under 1 = 2^(g+24): any perturbation pushes some |q| past 2^24.
  const theta = new Float32Array([0.99999994, -0.99999994, 0.99999994, -0.99999994]);
  assert.is(gridPerturbRef(theta, t, 3, 0.5, 1) & GRID_PERTURB_OVERFLOW, GRID_PERTURB_OVERFLOW);
});

s.run();
