// wload_f32x4.wgsl: vec4 weight loads from an f32 weight tensor whose rows are a multiple of 4 long
// (no entry point; see wload_f32.wgsl for the contract).
//
// Binding (group 0):
//   2 read       w: array<vec4<f32>>, (rows, K/4)   weight rows of one chunk, row-major
//
//   w_vec4(i) -> vec4<f32>: elements 4i .. 4i+3.

@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;

fn w_vec4(i: u32) -> vec4<f32> {
  return w[i];
}
