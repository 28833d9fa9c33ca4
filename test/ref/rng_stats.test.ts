import { suite } from "uvu";
import * as assert from "uvu/assert";
import { zTail } from "../../src/ref/rng.ts";
import { Z_VARIANCE, zInt } from "../../src/zo/rng.ts";

const N = 1 << 20;
const s = suite("rng statistics (2^20 samples)");

/**
 * Exact law of the discrete generator: P(N = 2*S - 12276) for S the sum of twelve independent uniform
 * integers in [0, 1023], by twelve box convolutions (prefix sums), in float64.
 */
function exactLaw(): Float64Array {
  let p = new Float64Array([1]);
  for (let t = 0; t < 12; t++) {
    const q = new Float64Array(p.length + 1023);
    const prefix = new Float64Array(p.length + 1);
    for (let i = 0; i < p.length; i++) prefix[i + 1] = prefix[i]! + p[i]!;
    for (let sIdx = 0; sIdx < q.length; sIdx++) {
      const hi = Math.min(sIdx, p.length - 1), lo = Math.max(0, sIdx - 1023);
      q[sIdx] = hi >= lo ? (prefix[hi + 1]! - prefix[lo]!) / 1024 : 0;
    }
    p = q;
  }
  return p;
}

/** P(|z| > t) under the exact discrete law. */
function exactTail(law: Float64Array, t: number): number {
  let tail = 0;
  law.forEach((pr, sIdx) => {
    if (Math.abs((2 * sIdx - 12276) / 2048) > t) tail += pr;
  });
  return tail;
}

/** Pearson correlation of two sample arrays. */
function correlation(a: Float64Array, b: Float64Array): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

function draws(fn: (i: number) => number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = fn(i) / 2048;
  return out;
}

// 5 standard errors of a correlation estimate from N independent pairs.
const CORR_TOL = 5 / Math.sqrt(N);
const base = draws((i) => zInt(12345, 7, i));

s("the exact discrete law has mean 0, variance 1 - 2^-20 and tails close to Irwin-Hall(12)", () => {
  const law = exactLaw();
  let m1 = 0, m2 = 0, total = 0;
  law.forEach((pr, sIdx) => {
    const z = (2 * sIdx - 12276) / 2048;
    total += pr;
    m1 += pr * z;
    m2 += pr * z * z;
  });
  assert.ok(Math.abs(total - 1) < 1e-12, `total ${total}`);
  assert.ok(Math.abs(m1) < 1e-12, `mean ${m1}`);
  assert.ok(Math.abs(m2 - Z_VARIANCE) < 1e-12, `variance ${m2}`);
  // The lattice puts an atom of about 2 * pdf(t) / 1024 on |z| = t, which "> t" leaves out.
  for (const t of [1, 2, 3]) assert.ok(Math.abs(exactTail(law, t) - zTail(t)) < 4e-4, `tail ${t}: ${exactTail(law, t)} vs ${zTail(t)}`);
});

s("sample mean and variance match the law within 5 standard errors", () => {
  let m1 = 0, m2 = 0, m4 = 0;
  for (const z of base) {
    m1 += z;
    m2 += z * z;
    m4 += z ** 4;
  }
  m1 /= N;
  m2 /= N;
  m4 /= N;
  assert.ok(Math.abs(m1) < 5 / Math.sqrt(N), `mean ${m1}`);
  assert.ok(Math.abs(m2 - Z_VARIANCE) < 5 * Math.sqrt((m4 - 1) / N), `variance ${m2}`);
  // Irwin-Hall(12) has excess kurtosis -0.1 (a normal 0): E z^4 = 2.9.
  assert.ok(Math.abs(m4 - 2.9) < 0.05, `fourth moment ${m4}`);
});

s("fractions beyond 1, 2 and 3 sigma match the law's own tails", () => {
  const law = exactLaw();
  for (const t of [1, 2, 3]) {
    let beyond = 0;
    for (const z of base) if (Math.abs(z) > t) beyond++;
    const want = exactTail(law, t);
    const se = Math.sqrt((want * (1 - want)) / N);
    assert.ok(Math.abs(beyond / N - want) < 5 * se, `P(|z| > ${t}) = ${beyond / N}, law ${want} (se ${se.toExponential(2)})`);
  }
});

s("values of neighbouring indices, other tensors and other seeds are uncorrelated", () => {
  const pairs: [string, Float64Array][] = [
    ["index + 1", draws((i) => zInt(12345, 7, i + 1))],
    ["tensor + 1", draws((i) => zInt(12345, 8, i))],
    ["seed + 1", draws((i) => zInt(12346, 7, i))],
    ["index + 2^16", draws((i) => zInt(12345, 7, i + 65536))],
  ];
  for (const [what, other] of pairs) {
    const r = correlation(base, other);
    assert.ok(Math.abs(r) < CORR_TOL, `${what}: correlation ${r.toExponential(3)}, limit ${CORR_TOL.toExponential(3)}`);
  }
  // Squares too: a dependence in magnitude would show here even with uncorrelated signs.
  const sq = (a: Float64Array) => a.map((z) => z * z);
  const r2 = correlation(sq(base), sq(pairs[0]![1]));
  assert.ok(Math.abs(r2) < CORR_TOL, `squares of neighbours: correlation ${r2.toExponential(3)}`);
});

s("the correlation check rejects a generator with weakly dependent neighbours", () => {
  // z'(i) = z(i) + 0.02 z(i+1): correlation 0.02 between neighbours, 4x the tolerance.
  const bad = draws((i) => zInt(1, 1, i) + 0.02 * zInt(1, 1, i + 1));
  const shifted = bad.slice(1);
  const r = correlation(bad.subarray(0, N - 1), shifted);
  assert.ok(Math.abs(r) > CORR_TOL, `check missed a correlation of ${r}`);
});

s.run();
