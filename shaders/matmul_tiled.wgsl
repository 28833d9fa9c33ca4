// matmul_tiled.wgsl: y = alpha * x Wᵀ (+ y when accumulate) for one (x chunk, W chunk) pair, the general
// register-tiled kernel with workgroup-shared tiles of x and W and a K loop in tiles of KT.
//
// Dimensions: T = p.rows token rows of this x/y chunk, K = p.k, N = p.cols rows of this W chunk, which
// produce y columns [p.col0, p.col0 + p.cols) of a y row of p.ldy columns.
//
// Bindings (group 0):
//   0 uniform    p: Params                     sizes and scalars, in the wrapper's uniform word order
//   1 read       x: array<f32>, (T, K)         token rows of this chunk, row-major
//   2 read       w: (N, K)                     weight rows (out, in) of this chunk, row-major, f32 or
//                                              packed f16/bf16; declared by the weight-load prelude
//                                              (wload_f32.wgsl or wload_half.wgsl, joined by
//                                              src/kernels/weight_load.ts), read through w_at(e) as f32
//   3 read_write y: array<f32>, (T, ldy)       output rows; only columns [col0, col0 + N) are touched,
//                                              and y is read only when p.accumulate != 0
//
// Workgroup: (WG_X, WG_Y) invocations. The workgroup computes a TILE_T x TILE_N block of y, TILE_T =
// WG_Y * RM, TILE_N = WG_X * RN; invocation (lx, ly) owns rows ly + i*WG_Y (i < RM) and columns
// lx + j*WG_X (j < RN) of the block, so a warp's shared-memory reads are broadcasts (x) and
// consecutive words (W). Each K tile of x and W is staged k-major in workgroup memory:
//   xs (KT, TILE_T), ws (KT, TILE_N), out-of-range elements stored as 0.
// Dispatch: (ceil(N / TILE_N), ceil(T / TILE_T), 1).

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override KT: u32 = 16u;
// Register block per invocation. Function-scope array sizes must be const expressions, so these two are
// consts; the workgroup tile is tuned through WG_X, WG_Y and KT.
const RM: u32 = 4u;
const RN: u32 = 4u;
override TILE_T: u32 = WG_Y * RM;
override TILE_N: u32 = WG_X * RN;

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
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

var<workgroup> xs: array<f32, KT * TILE_T>;
var<workgroup> ws: array<f32, KT * TILE_N>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
) {
  let t0 = wid.y * TILE_T;
  let n0 = wid.x * TILE_N;
  var acc: array<array<f32, RN>, RM>;
  for (var kb = 0u; kb < p.k; kb += KT) {
    for (var l = li; l < TILE_T * KT; l += WG_X * WG_Y) {
      let r = l / KT;
      let kk = l % KT;
      let t = t0 + r;
      let k = kb + kk;
      var v = 0.0;
      if (t < p.rows && k < p.k) {
        v = x[t * p.k + k];
      }
      xs[kk * TILE_T + r] = v;
    }
    for (var l = li; l < TILE_N * KT; l += WG_X * WG_Y) {
      let r = l / KT;
      let kk = l % KT;
      let n = n0 + r;
      let k = kb + kk;
      var v = 0.0;
      if (n < p.cols && k < p.k) {
        v = w_at(n * p.k + k);
      }
      ws[kk * TILE_N + r] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk++) {
      var a: array<f32, RM>;
      var b: array<f32, RN>;
      for (var i = 0u; i < RM; i++) {
        a[i] = xs[kk * TILE_T + lid.y + i * WG_Y];
      }
      for (var j = 0u; j < RN; j++) {
        b[j] = ws[kk * TILE_N + lid.x + j * WG_X];
      }
      for (var i = 0u; i < RM; i++) {
        for (var j = 0u; j < RN; j++) {
          acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < RM; i++) {
    let t = t0 + lid.y + i * WG_Y;
    if (t >= p.rows) {
      break;
    }
    for (var j = 0u; j < RN; j++) {
      let n = n0 + lid.x + j * WG_X;
      if (n >= p.cols) {
        break;
      }
      let at = t * p.ldy + p.col0 + n;
      var v = p.alpha * acc[i][j];
      if (p.accumulate != 0u) {
        v += y[at];
      }
      y[at] = v;
    }
  }
}
