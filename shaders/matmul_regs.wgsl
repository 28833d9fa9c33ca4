// matmul_regs.wgsl: y = alpha * x Wᵀ (+ y when accumulate) for one (x chunk, W chunk) pair, the
// register-blocked kernel for K a multiple of 4: each invocation keeps an 8x8 block of y in registers
// and streams its 8 rows of x and 8 rows of W along K in vec4 steps, without workgroup memory.
// It is the variant for skinny problems (small K, where a row of x or W is a few cache lines) and for
// software adapters (llvmpipe, SwiftShader), where workgroup memory is no faster than storage, every
// load costs the same per invocation whatever its address, and barriers are expensive.
//
// Dimensions: T = p.rows token rows of this x/y chunk, K = p.k (a multiple of 4), N = p.cols rows of
// this W chunk, which produce y columns [p.col0, p.col0 + p.cols) of a y row of p.ldy columns.
//
// Bindings (group 0):
//   0 uniform    p: Params                        sizes and scalars, in the wrapper's uniform word order
//   1 read       x: array<vec4<f32>>, (T, K/4)    token rows of this chunk, row-major
//   2 read       w: (N, K) weight rows (out, in) of this chunk, row-major, f32 or packed f16/bf16;
//                declared by the weight-load prelude (wload_f32x4.wgsl or wload_half.wgsl, joined by
//                src/kernels/weight_load.ts) and read through w_vec4(i) = elements 4i..4i+3 as f32
//   3 read_write y: array<f32>, (T, ldy)          output rows; only columns [col0, col0 + N) are
//                                                 touched, and y is read only when p.accumulate != 0
//
// Workgroup: (WG_X, WG_Y) invocations; invocation gid owns rows [8*gid.y, 8*gid.y + 8) and columns
// [8*gid.x, 8*gid.x + 8) of y. Its rows past T and columns past N read the last valid row (clamped)
// and are never written.
// Dispatch: (ceil(N / (8*WG_X)), ceil(T / (8*WG_Y)), 1).
//
// Per K step of 4: a_i is x row t0+i (4 values of K), bt_J = transpose of W rows n0+4J..n0+4J+3, so
// bt_J * a_i is y[t0+i, n0+4J..n0+4J+4) for these 4 values of K; acc_iJ sums it over K. The block is
// spelled out (no loops, no arrays): software adapters only keep it in registers that way.

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
// The 8x8 register block is spelled out below (four 4x4 blocks); BLOCK documents it for the wrapper.
const BLOCK: u32 = 8u;

struct Params {
  rows: u32,
  k: u32,
  cols: u32,
  col0: u32,
  ldy: u32,
  alpha: f32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// Writes y[t, n..n+8) (the columns below p.cols; nothing when t >= p.rows) from lo (n..n+4) and
// hi (n+4..n+8), scaled by alpha and added to y when accumulating. Spelled out for the same reason.
fn store8(t: u32, n: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (t >= p.rows) {
    return;
  }
  let at = t * p.ldy + p.col0 + n;
  var v = array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
  v[0] *= p.alpha; v[1] *= p.alpha; v[2] *= p.alpha; v[3] *= p.alpha;
  v[4] *= p.alpha; v[5] *= p.alpha; v[6] *= p.alpha; v[7] *= p.alpha;
  if (p.accumulate != 0u) {
    if (n + 0u < p.cols) { v[0] += y[at + 0u]; }
    if (n + 1u < p.cols) { v[1] += y[at + 1u]; }
    if (n + 2u < p.cols) { v[2] += y[at + 2u]; }
    if (n + 3u < p.cols) { v[3] += y[at + 3u]; }
    if (n + 4u < p.cols) { v[4] += y[at + 4u]; }
    if (n + 5u < p.cols) { v[5] += y[at + 5u]; }
    if (n + 6u < p.cols) { v[6] += y[at + 6u]; }
    if (n + 7u < p.cols) { v[7] += y[at + 7u]; }
  }
  if (n + 0u < p.cols) { y[at + 0u] = v[0]; }
  if (n + 1u < p.cols) { y[at + 1u] = v[1]; }
  if (n + 2u < p.cols) { y[at + 2u] = v[2]; }
  if (n + 3u < p.cols) { y[at + 3u] = v[3]; }
  if (n + 4u < p.cols) { y[at + 4u] = v[4]; }
  if (n + 5u < p.cols) { y[at + 5u] = v[5]; }
  if (n + 6u < p.cols) { y[at + 6u] = v[6]; }
  if (n + 7u < p.cols) { y[at + 7u] = v[7]; }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k4 = p.k / 4u;
  let t0 = gid.y * BLOCK;
  let n0 = gid.x * BLOCK;
  // vec4 offsets of the 8 x rows and 8 W rows this invocation reads (clamped into the chunk).
  let xr0 = min(t0 + 0u, p.rows - 1u) * k4;
  let xr1 = min(t0 + 1u, p.rows - 1u) * k4;
  let xr2 = min(t0 + 2u, p.rows - 1u) * k4;
  let xr3 = min(t0 + 3u, p.rows - 1u) * k4;
  let xr4 = min(t0 + 4u, p.rows - 1u) * k4;
  let xr5 = min(t0 + 5u, p.rows - 1u) * k4;
  let xr6 = min(t0 + 6u, p.rows - 1u) * k4;
  let xr7 = min(t0 + 7u, p.rows - 1u) * k4;
  let wr0 = min(n0 + 0u, p.cols - 1u) * k4;
  let wr1 = min(n0 + 1u, p.cols - 1u) * k4;
  let wr2 = min(n0 + 2u, p.cols - 1u) * k4;
  let wr3 = min(n0 + 3u, p.cols - 1u) * k4;
  let wr4 = min(n0 + 4u, p.cols - 1u) * k4;
  let wr5 = min(n0 + 5u, p.cols - 1u) * k4;
  let wr6 = min(n0 + 6u, p.cols - 1u) * k4;
  let wr7 = min(n0 + 7u, p.cols - 1u) * k4;
  var acc00 = vec4<f32>();
  var acc01 = vec4<f32>();
  var acc10 = vec4<f32>();
  var acc11 = vec4<f32>();
  var acc20 = vec4<f32>();
  var acc21 = vec4<f32>();
  var acc30 = vec4<f32>();
  var acc31 = vec4<f32>();
  var acc40 = vec4<f32>();
  var acc41 = vec4<f32>();
  var acc50 = vec4<f32>();
  var acc51 = vec4<f32>();
  var acc60 = vec4<f32>();
  var acc61 = vec4<f32>();
  var acc70 = vec4<f32>();
  var acc71 = vec4<f32>();
  for (var k = 0u; k < k4; k++) {
    let a0 = x[xr0 + k];
    let a1 = x[xr1 + k];
    let a2 = x[xr2 + k];
    let a3 = x[xr3 + k];
    let a4 = x[xr4 + k];
    let a5 = x[xr5 + k];
    let a6 = x[xr6 + k];
    let a7 = x[xr7 + k];
    let bt0 = transpose(mat4x4<f32>(w_vec4(wr0 + k), w_vec4(wr1 + k), w_vec4(wr2 + k), w_vec4(wr3 + k)));
    let bt1 = transpose(mat4x4<f32>(w_vec4(wr4 + k), w_vec4(wr5 + k), w_vec4(wr6 + k), w_vec4(wr7 + k)));
    acc00 += bt0 * a0;
    acc01 += bt1 * a0;
    acc10 += bt0 * a1;
    acc11 += bt1 * a1;
    acc20 += bt0 * a2;
    acc21 += bt1 * a2;
    acc30 += bt0 * a3;
    acc31 += bt1 * a3;
    acc40 += bt0 * a4;
    acc41 += bt1 * a4;
    acc50 += bt0 * a5;
    acc51 += bt1 * a5;
    acc60 += bt0 * a6;
    acc61 += bt1 * a6;
    acc70 += bt0 * a7;
    acc71 += bt1 * a7;
  }
  store8(t0 + 0u, n0, acc00, acc01);
  store8(t0 + 1u, n0, acc10, acc11);
  store8(t0 + 2u, n0, acc20, acc21);
  store8(t0 + 3u, n0, acc30, acc31);
  store8(t0 + 4u, n0, acc40, acc41);
  store8(t0 + 5u, n0, acc50, acc51);
  store8(t0 + 6u, n0, acc60, acc61);
  store8(t0 + 7u, n0, acc70, acc71);
}
