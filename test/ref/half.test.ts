// Half-precision host conversions (src/model/half.ts) against the reference (src/ref/half.ts): exact
// widening of every f16 and bf16 pattern, round-to-nearest-even narrowing on random values, ties,
// subnormals, overflow and the --dtype option parser.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, f32ToHalf, halfToF32, parseDtypeOption } from "../../src/model/half.ts";
import { halfValueRef, roundToHalfRef } from "../../src/ref/half.ts";
import { rngFor } from "../harness/random.ts";

const s = suite("half conversions");

s("widening matches the reference on all 65,536 f16 and bf16 patterns (NaN stays NaN)", () => {
  const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
  for (const fmt of ["f16", "bf16"] as const) {
    const got = halfToF32(bits, fmt);
    for (let i = 0; i < 65536; i++) {
      const want = halfValueRef(i, fmt);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(got[i]!), `${fmt} ${i.toString(16)} is NaN`);
      else if (!Object.is(got[i]!, Math.fround(want)) && !(want === 0 && got[i] === 0)) assert.unreachable(`${fmt} bits ${i.toString(16)}: got ${got[i]}, want ${want}`);
    }
  }
  assert.is(f16ToF32(0x3c00), 1);
  assert.is(bf16ToF32(0x3f80), 1);
});

s("narrowing rounds to nearest even like the reference on 20,000 random values per format, ties and subnormals included", () => {
  const rng = rngFor("half narrowing");
  const xs: number[] = [];
  for (let i = 0; i < 20000; i++) xs.push(Math.fround(rng.normal() * 10 ** rng.int(-9, 5)));
  // Exact ties between two f16 neighbours and two bf16 neighbours, subnormal ties, overflow edges.
  xs.push(1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 2 ** -25, 3 * 2 ** -25, 2 ** -26, 65504, 65519, 65520, -65520, 0, -0, 2 ** -24, 6e-8);
  const data = Float32Array.from(xs);
  for (const fmt of ["f16", "bf16"] as const) {
    const bits = f32ToHalf(data, fmt);
    for (let i = 0; i < data.length; i++) {
      const got = halfValueRef(bits[i]!, fmt);
      const want = roundToHalfRef(data[i]!, fmt);
      if (!(got === want || (got === 0 && want === 0))) assert.unreachable(`${fmt}(${data[i]}): got ${got} (bits ${bits[i]!.toString(16)}), want ${want}`);
      assert.is((fmt === "f16" ? f32ToF16 : f32ToBf16)(data[i]!), bits[i]!, "scalar and array conversions agree");
    }
  }
  assert.is(f32ToF16(65520), 0x7c00, "65520 overflows f16 to infinity");
  assert.ok(Number.isNaN(bf16ToF32(f32ToBf16(NaN))), "NaN stays NaN in bf16");
});

s("parseDtypeOption() accepts f32, f16, bf16, auto and names the bad value", () => {
  assert.is(parseDtypeOption("auto"), null);
  assert.is(parseDtypeOption("bf16"), "bf16");
  assert.throws(() => parseDtypeOption("fp16"), /--dtype must be one of f32, f16, bf16, auto; got "fp16"/);
});

s.run();
