import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mulhi32, philox4x32, Z_MAX, zInt, zRange, zValue } from "../../src/ref/rng.ts";
import { rngFor } from "../harness/random.ts";

interface Golden {
  philoxKat: { ctr: [number, number, number, number]; key: [number, number]; out: number[] }[];
  points: { seed: number; tensorId: number; index: number; n: number; z: number }[];
  block: { seed: number; tensorId: number; index0: number; count: number; sumN: number; sumN2: number };
}

// Written by test/fixtures/rng_golden.py, an independent Python implementation; tests run from the repo root.
const golden = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/rng_golden.json"), "utf8")) as Golden;

const s = suite("rng (TypeScript reference)");

s("mulhi32() equals the high word of the exact 64-bit product", () => {
  const rng = rngFor("mulhi32");
  const cases: [number, number][] = [[0, 0], [0xffffffff, 0xffffffff], [0xd2511f53, 0xffffffff], [1, 0xffffffff], [0x10000, 0x10000]];
  for (let i = 0; i < 2000; i++) cases.push([Math.floor(rng.next() * 2 ** 32), Math.floor(rng.next() * 2 ** 32)]);
  for (const [a, b] of cases) {
    const want = Number((BigInt(a) * BigInt(b)) >> 32n);
    assert.is(mulhi32(a, b), want, `mulhi32(${a}, ${b})`);
  }
});

s("philox4x32() reproduces Random123's known-answer vectors", () => {
  assert.ok(golden.philoxKat.length >= 3);
  for (const k of golden.philoxKat) {
    assert.equal([...philox4x32(...k.ctr, ...k.key)], k.out, `ctr ${k.ctr} key ${k.key}`);
  }
});

s("zInt() and zValue() match every golden point", () => {
  assert.ok(golden.points.length >= 200);
  for (const p of golden.points) {
    const where = `seed ${p.seed} tensor ${p.tensorId} index ${p.index}`;
    assert.is(zInt(p.seed, p.tensorId, p.index), p.n, where);
    assert.is(zValue(p.seed, p.tensorId, p.index), p.z, where);
  }
});

s("sums of N and N^2 over a 20000-index golden block match", () => {
  const b = golden.block;
  let s1 = 0, s2 = 0;
  for (let i = 0; i < b.count; i++) {
    const n = zInt(b.seed, b.tensorId, b.index0 + i);
    s1 += n;
    s2 += n * n;
  }
  assert.is(s1, b.sumN);
  assert.is(s2, b.sumN2);
});

s("z is exact in f32, on the 1/1024 grid and bounded by Z_MAX", () => {
  const z = zRange(99, 5, 0, 50000);
  for (let i = 0; i < z.length; i++) {
    const v = zValue(99, 5, i);
    assert.is(z[i], v, `index ${i}`);
    assert.ok(Math.abs(v) <= Z_MAX, `|z| ${v} > ${Z_MAX}`);
    assert.ok(Number.isInteger(v * 1024), `z ${v} off the 1/1024 grid`);
  }
});

s("z depends on every argument", () => {
  const base = zInt(1, 2, 3);
  let same = 0;
  for (let d = 1; d <= 64; d++) {
    if (zInt(1 + d, 2, 3) === base) same++;
    if (zInt(1, 2 + d, 3) === base) same++;
    if (zInt(1, 2, 3 + d) === base) same++;
  }
  assert.ok(same <= 4, `${same} of 192 changed arguments gave the same z`);
});

s.run();
