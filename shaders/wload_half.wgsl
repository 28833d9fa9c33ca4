// wload_half.wgsl: weight loads for kernels reading a half-precision weight tensor, kept as stored:
// two 16-bit values per u32 word, element 2j in the low half of word j. Values are widened to f32
// (exactly) in the load and all arithmetic stays f32. f16 goes through unpack2x16float; bf16 is the top
// half of an f32, so widening is a 16-bit shift. Works on every adapter (no shader-f16 needed).
// Not a kernel: src/kernels/weight_load.ts prepends it (see wload_f32.wgsl for the contract).
//
// Binding (group 0):
//   2 read       w: array<u32>, (ceil(rows*K/2))   weight rows of one chunk, row-major, packed
// Override: W_BF16 (true: bf16, false: f16).
//
//   w_at(e) -> f32: element e of the chunk.
//   w_vec4(i) -> vec4<f32>: elements 4i .. 4i+3 (words 2i and 2i+1).

override W_BF16: bool = false;

@group(0) @binding(2) var<storage, read> w: array<u32>;

fn w_unpack2(u: u32) -> vec2<f32> {
  if (W_BF16) {
    return vec2<f32>(bitcast<f32>(u << 16u), bitcast<f32>(u & 0xFFFF0000u));
  }
  return unpack2x16float(u);
}

fn w_at(e: u32) -> f32 {
  let v = w_unpack2(w[e >> 1u]);
  return select(v.x, v.y, (e & 1u) == 1u);
}

fn w_vec4(i: u32) -> vec4<f32> {
  return vec4<f32>(w_unpack2(w[2u * i]), w_unpack2(w[2u * i + 1u]));
}
