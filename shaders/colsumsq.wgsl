// colsumsq.wgsl: weighted column sums over a block of rows, one partial sum per (row block, column):
//   dst[rb * K + j] (+)= sum over rows r of block rb of  w[row0 + r] * f(x[r, j])
// with f(v) = v^2 (square = 1) or v (square = 0), w = 1 when use_weights = 0, and row block
// rb = rows [rb * rows_per_block, min((rb + 1) * rows_per_block, rows)). The host uses it twice for
// out[j] (+)= sum_t w[t] * x[t, j]^2: squares into per-block partials (or straight into out when there
// is one block), then plain sums of the partials into out.
//
// Bindings (group 0):
//   0 uniform    p: Params { rows: u32, row0: u32, k: u32, rows_per_block: u32, square: u32,
//                            use_weights: u32, accumulate: u32 }
//   1 read       x: array<f32>, (rows, K)                     rows of this chunk (or the partials)
//   2 read       w: array<f32>, (row0 + rows)                 row weights; bound but unread if use_weights = 0
//   3 read_write dst: array<f32>, (ceil(rows / rows_per_block), K) [+slack]   partials, or out (K)
//
// Workgroup: (WG_X, WG_Y, 1), WG_X * WG_Y <= 256: WG_X adjacent columns (coalesced reads) by WG_Y row
//            lanes; lane y sums rows start + y, start + y + WG_Y, ...; lane 0 adds the WG_Y lane sums.
// Dispatch:  (ceil(K / WG_X), ceil(rows / rows_per_block), 1): x = column block, y = row block rb.

override WG_X: u32 = 64u;
override WG_Y: u32 = 4u;

struct Params {
  rows: u32,
  row0: u32,
  k: u32,
  rows_per_block: u32,
  square: u32,
  use_weights: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

// Sized for the largest workgroup (256 invocations); entry lane * WG_X + column.
var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let j = wid.x * WG_X + lid.x;
  let rb = wid.y;
  let start = rb * p.rows_per_block;
  let end = min(start + p.rows_per_block, p.rows);
  var acc = 0.0;
  if (j < p.k) {
    for (var r = start + lid.y; r < end; r += WG_Y) {
      var v = x[r * p.k + j];
      if (p.square == 1u) {
        v = v * v;
      }
      if (p.use_weights == 1u) {
        v = v * w[p.row0 + r];
      }
      acc += v;
    }
  }
  partial[lid.y * WG_X + lid.x] = acc;
  workgroupBarrier();
  if (lid.y == 0u && j < p.k) {
    var s = 0.0;
    for (var l = 0u; l < WG_Y; l++) {
      s += partial[l * WG_X + lid.x];
    }
    let o = rb * p.k + j;
    if (p.accumulate == 1u) {
      s = dst[o] + s;
    }
    dst[o] = s;
  }
}
