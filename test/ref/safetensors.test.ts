// safetensors: defensive parsing (every corruption named), exact F16/BF16 widening, F32 writer round trip.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bf16BitsToF32, concatBytes, encodeSafetensors, f16BitsToF32, parseSafetensors, parseSafetensorsHeader } from "../../src/model/safetensors.ts";
import { rngFor } from "../harness/random.ts";
import { rawSafetensors, u16Bytes } from "./hf_fixtures.ts";

const w = suite("encodeSafetensors() and parseSafetensors()");

w("F32 tensors and metadata survive a round trip bit for bit, data aligned to 8 bytes", () => {
  const rng = rngFor("st roundtrip");
  const tensors = [
    { name: "a.weight", shape: [3, 5], data: rng.normals(15) },
    { name: "b", shape: [7], data: rng.normals(7) },
    { name: "empty", shape: [0, 4], data: new Float32Array(0) },
    { name: "scalar", shape: [], data: Float32Array.of(-0) },
  ];
  const bytes = concatBytes(encodeSafetensors(tensors, { format: "pt" }));
  const h = parseSafetensorsHeader(bytes, bytes.byteLength);
  assert.is(h.dataStart % 8, 0);
  const back = parseSafetensors(bytes);
  assert.equal(back.metadata, { format: "pt" });
  const byName = new Map(back.tensors.map((t) => [t.name, t]));
  for (const t of tensors) {
    const b = byName.get(t.name)!;
    assert.equal(b.shape, t.shape, t.name);
    assert.equal(new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length), new Uint32Array(t.data.buffer), t.name);
  }
});

w("encodeSafetensors rejects a size mismatch and duplicate names", () => {
  assert.throws(() => encodeSafetensors([{ name: "x", shape: [2, 2], data: new Float32Array(3) }]), /"x" has 3 values, shape \[2, 2\] needs 4/);
  const t = { name: "x", shape: [1], data: new Float32Array(1) };
  assert.throws(() => encodeSafetensors([t, t]), /duplicate or reserved tensor name "x"/);
});

w.run();

const c = suite("parseSafetensors() on corrupt files");
const f32 = (n: number): Uint8Array => new Uint8Array(n * 4);
const ok = { w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] } };

c("the well-formed control file parses", () => {
  assert.is(parseSafetensors(rawSafetensors(ok, f32(4))).tensors.length, 1);
});

c("a file shorter than 8 bytes or a header length past the end is rejected", () => {
  assert.throws(() => parseSafetensors(new Uint8Array(5)), /too short for the 8-byte header length/);
  const full = rawSafetensors(ok, f32(4));
  const hdrLen = new DataView(full.buffer).getUint32(0, true);
  assert.throws(() => parseSafetensors(full.subarray(0, 8 + hdrLen - 3)), /runs past the end/);
  const huge = full.slice();
  new DataView(huge.buffer).setUint32(4, 1, true); // 2^32 + N
  assert.throws(() => parseSafetensors(huge), /exceeds the 100000000-byte limit/);
});

c("bad JSON, bad UTF-8 and a non-object header are rejected", () => {
  assert.throws(() => parseSafetensors(rawSafetensors(null, f32(0), '{"w": {"dtype": "F32",')), /not valid JSON/);
  const bad = rawSafetensors(null, f32(0), "{}xx");
  bad[9] = 0xff;
  bad[10] = 0xfe;
  assert.throws(() => parseSafetensors(bad), /not valid UTF-8/);
  assert.throws(() => parseSafetensors(rawSafetensors([1, 2])), /must be a JSON object/);
  assert.throws(() => parseSafetensors(rawSafetensors({ w: 5 })), /tensor "w": entry must be an object/);
});

c("offsets past the end of the data name the tensor", () => {
  const h = { w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] }, tail: { dtype: "F32", shape: [2], data_offsets: [16, 24] } };
  assert.throws(() => parseSafetensors(rawSafetensors(h, f32(5))), /tensor "tail": data_offsets \[16, 24\] run past the end of the 20-byte data section/);
});

c("overlapping tensors, gaps and trailing bytes are rejected", () => {
  const overlap = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } };
  assert.throws(() => parseSafetensors(rawSafetensors(overlap, f32(3))), /tensor "b" .* overlaps tensor "a"/);
  const gap = { a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } };
  assert.throws(() => parseSafetensors(rawSafetensors(gap, f32(3))), /tensor "b" starts at data byte 8, leaving a gap after tensor "a"/);
  assert.throws(() => parseSafetensors(rawSafetensors(ok, f32(5))), /4 bytes after the last tensor "w"/);
});

c("unknown or unsupported dtypes name the tensor", () => {
  assert.throws(() => parseSafetensors(rawSafetensors({ q: { dtype: "Q4", shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1))), /tensor "q": dtype "Q4" is not supported \(supported: F32, F16, BF16\)/);
  assert.throws(() => parseSafetensors(rawSafetensors({ i: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8))), /tensor "i": dtype "I64"/);
});

c("a shape that disagrees with the byte range names the tensor and both sizes", () => {
  const h = { m: { dtype: "F16", shape: [3, 3], data_offsets: [0, 16] } };
  assert.throws(() => parseSafetensors(rawSafetensors(h, new Uint8Array(16))), /tensor "m": F16 shape \[3, 3\] needs 18 bytes, data_offsets \[0, 16\] hold 16/);
  const neg = { m: { dtype: "F32", shape: [-1, 4], data_offsets: [0, 16] } };
  assert.throws(() => parseSafetensors(rawSafetensors(neg, f32(4))), /tensor "m": shape \[-1,4\] must be an array of non-negative integers/);
  const rev = { m: { dtype: "F32", shape: [0], data_offsets: [8, 0] } };
  assert.throws(() => parseSafetensors(rawSafetensors(rev, f32(2))), /tensor "m": data_offsets \[8, 0\] has begin after end/);
  const meta = { __metadata__: { a: 1 }, ...ok };
  assert.throws(() => parseSafetensors(rawSafetensors(meta, f32(4))), /__metadata__ must be an object of strings/);
});

c.run();

const d = suite("F16 and BF16 widening");
const F16: [number, number][] = [
  [0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14],
  [0x3555, 0.333251953125], [0x8000, -0], [0x7c00, Infinity], [0xfc00, -Infinity],
];
const BF16: [number, number][] = [
  [0x3f80, 1], [0xc040, -3], [0x3eab, 0.333984375], [0x7f7f, 3.3895313892515355e38], [0x0001, 2 ** -133], [0x8000, -0], [0xff80, -Infinity],
];

d("known F16 bit patterns widen exactly (normals, subnormals, max, signed zero, infinities, NaN)", () => {
  for (const [bits, v] of F16) assert.ok(Object.is(f16BitsToF32(bits), v), `0x${bits.toString(16)} -> ${f16BitsToF32(bits)}, expected ${v}`);
  assert.ok(Number.isNaN(f16BitsToF32(0x7e00)));
});

d("known BF16 bit patterns widen exactly", () => {
  for (const [bits, v] of BF16) assert.ok(Object.is(bf16BitsToF32(bits), v), `0x${bits.toString(16)} -> ${bf16BitsToF32(bits)}, expected ${v}`);
  assert.ok(Number.isNaN(bf16BitsToF32(0x7fc0)));
});

d("F16 and BF16 tensors in a file (odd offset) decode to the same exact values", () => {
  const hb = u16Bytes(F16.map(([b]) => b)), bb = u16Bytes(BF16.map(([b]) => b));
  const h = {
    pad: { dtype: "F16", shape: [1], data_offsets: [0, 2] }, // puts the next tensors at 2-byte (not 4-byte) offsets
    h: { dtype: "F16", shape: [F16.length], data_offsets: [2, 2 + hb.byteLength] },
    b: { dtype: "BF16", shape: [BF16.length], data_offsets: [2 + hb.byteLength, 2 + hb.byteLength + bb.byteLength] },
  };
  const data = concatBytes([u16Bytes([0x3c00]), hb, bb]);
  const got = new Map(parseSafetensors(rawSafetensors(h, data)).tensors.map((t) => [t.name, t.data]));
  F16.forEach(([, v], i) => assert.ok(Object.is(got.get("h")![i], v), `F16 element ${i}: ${got.get("h")![i]} != ${v}`));
  BF16.forEach(([, v], i) => assert.ok(Object.is(got.get("b")![i], v), `BF16 element ${i}: ${got.get("b")![i]} != ${v}`));
});

d("every F16 bit pattern round-trips through Math.fround as an f32", () => {
  for (let b = 0; b < 65536; b++) {
    const v = f16BitsToF32(b);
    if (!Number.isNaN(v) && Math.fround(v) !== v) assert.unreachable(`0x${b.toString(16)} -> ${v} is not an f32`);
  }
});

d.run();
