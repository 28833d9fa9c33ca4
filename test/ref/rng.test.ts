// The production generator (src/zo/rng.ts) and the plain reference (src/ref/rng.ts) are separate code;
// each is pinned here against the golden values of test/fixtures/rng_golden.py (Python integers), and
// against each other on random arguments.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as ref from "../../src/ref/rng.ts";
import * as prod from "../../src/zo/rng.ts";
import { rngFor } from "../harness/random.ts";

interface Golden {
  philoxKat: { ctr: [number, number, number, number]; key: [number, number]; out: number[] }[];
  points: { seed: number; tensorId: number; index: number; n: number; z: number }[];
  block: { seed: number; tensorId: number; index0: number; count: number; sumN: number; sumN2: number };
  roundUniform: { seed: number; tensorId: number; index: number; coef: number; u: number }[];
}

// Written by test/fixtures/rng_golden.py, an independent Python implementation; tests run from the repo root.
const golden = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/rng_golden.json"), "utf8")) as Golden;

interface Generator {
  mulhi32(a: number, b: number): number;
  philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): ArrayLike<number>;
  zInt(seed: number, tensorId: number, index: number): number;
  zValue(seed: number, tensorId: number, index: number): number;
  zRange(seed: number, tensorId: number, index0: number, n: number): Float32Array;
  readonly Z_MAX: number;
  readonly Z_N_MAX: number;
  readonly Z_SCALE: number;
  readonly Z_VARIANCE: number;
}

const generators: [string, Generator][] = [["production src/zo/rng.ts", prod], ["reference src/ref/rng.ts", ref]];

for (const [name, gen] of generators) {
  const s = suite(`rng: ${name}`);

  s("mulhi32() equals the high word of the exact 64-bit product", () => {
    const rng = rngFor(`mulhi32 ${name}`);
    const cases: [number, number][] = [[0, 0], [0xffffffff, 0xffffffff], [0xd2511f53, 0xffffffff], [1, 0xffffffff], [0x10000, 0x10000]];
    for (let i = 0; i < 2000; i++) cases.push([Math.floor(rng.next() * 2 ** 32), Math.floor(rng.next() * 2 ** 32)]);
    for (const [a, b] of cases) assert.is(gen.mulhi32(a, b), Number((BigInt(a) * BigInt(b)) >> 32n), `mulhi32(${a}, ${b})`);
  });

  s("philox4x32() reproduces Random123's known-answer vectors", () => {
    assert.ok(golden.philoxKat.length >= 3);
    for (const k of golden.philoxKat) assert.equal([...Array.from(gen.philox4x32(...k.ctr, ...k.key))], k.out, `ctr ${k.ctr} key ${k.key}`);
  });

  s("zInt() and zValue() match every golden point", () => {
    assert.ok(golden.points.length >= 200);
    for (const p of golden.points) {
      const where = `seed ${p.seed} tensor ${p.tensorId} index ${p.index}`;
      assert.is(gen.zInt(p.seed, p.tensorId, p.index), p.n, where);
      assert.is(gen.zValue(p.seed, p.tensorId, p.index), p.z, where);
    }
  });

  s("sums of N and N^2 over a 20000-index golden block match", () => {
    const b = golden.block;
    let s1 = 0, s2 = 0;
    for (let i = 0; i < b.count; i++) {
      const n = gen.zInt(b.seed, b.tensorId, b.index0 + i);
      s1 += n;
      s2 += n * n;
    }
    assert.is(s1, b.sumN);
    assert.is(s2, b.sumN2);
  });

  s("constants: N_MAX 12276, scale 1/2048, Z_MAX 12276/2048, variance 1 - 2^-20", () => {
    assert.is(gen.Z_N_MAX, 12276);
    assert.is(gen.Z_SCALE, 2 ** -11);
    assert.is(gen.Z_MAX, 12276 / 2048);
    assert.is(gen.Z_VARIANCE, 1 - 2 ** -20);
  });

  s("z is exact in f32, on the 1/1024 grid and bounded by Z_MAX", () => {
    const z = gen.zRange(99, 5, 0, 20000);
    for (let i = 0; i < z.length; i++) {
      const v = gen.zValue(99, 5, i);
      assert.is(z[i], v, `index ${i}`);
      assert.ok(Math.abs(v) <= gen.Z_MAX, `|z| ${v} > ${gen.Z_MAX}`);
      assert.ok(Number.isInteger(v * 1024), `z ${v} off the 1/1024 grid`);
    }
  });

  s("z depends on every argument", () => {
    const base = gen.zInt(1, 2, 3);
    let same = 0;
    for (let d = 1; d <= 64; d++) {
      if (gen.zInt(1 + d, 2, 3) === base) same++;
      if (gen.zInt(1, 2 + d, 3) === base) same++;
      if (gen.zInt(1, 2, 3 + d) === base) same++;
    }
    assert.ok(same <= 4, `${same} of 192 changed arguments gave the same z`);
  });

  s.run();
}

const x = suite("rng: production vs reference");

x("the two implementations agree on 5000 random (seed, tensor, index) and Philox words", () => {
  const rng = rngFor("rng prod vs ref");
  const u32 = () => Math.floor(rng.next() * 2 ** 32);
  for (let i = 0; i < 5000; i++) {
    const [seed, id, index] = [u32(), u32(), u32()];
    assert.is(prod.zInt(seed, id, index), ref.zInt(seed, id, index), `seed ${seed} tensor ${id} index ${index}`);
    const c = [u32(), u32(), u32(), u32()] as const, k = [u32(), u32()] as const;
    assert.equal([...prod.philox4x32(...c, ...k)], ref.philox4x32(...c, ...k));
  }
});

x("the reference's rounding uniform (exact-mode updates) matches every golden value", () => {
  assert.ok(golden.roundUniform.length >= 100);
  for (const r of golden.roundUniform) assert.is(ref.roundUniform(r.seed, r.tensorId, r.index, r.coef), r.u, `seed ${r.seed} tensor ${r.tensorId} index ${r.index} coef ${r.coef}`);
});

x.run();
