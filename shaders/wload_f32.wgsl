// wload_f32.wgsl: scalar weight loads from an f32 weight tensor (no entry point). Not a kernel:
// src/kernels/weight_load.ts prepends this file, wload_f32x4.wgsl or wload_half.wgsl to the kernels that
// read weights (matmul_regs, matmul_tiled, embedding); they call the load functions and never declare
// the weight binding themselves.
//
// Binding (group 0):
//   2 read       w: array<f32>, (rows, K)     weight rows of one chunk, row-major
//
//   w_at(e) -> f32: element e of the chunk.

@group(0) @binding(2) var<storage, read> w: array<f32>;

fn w_at(e: u32) -> f32 {
  return w[e];
}
