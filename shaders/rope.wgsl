// rope.wgsl: rotary position embedding, in place. For row t, head h and pair index i < HALF = headDim/2,
// with angle = positions[row0 + t] * theta^(-2i/headDim), the pair (a, b) becomes
// (a cos - b sin, a sin + b cos). The pair is (2i, 2i+1) of the head for pair_layout 0 ("adjacent",
// llama2.c) and (i, i + HALF) for pair_layout 1 ("half", Hugging Face rotate_half).
//
// The angle is computed in turns (angle / 2pi) without rounding error for positions < 2^17: the host
// splits f_i = theta^(-2i/headDim) / (2pi), computed in float64, into f.x + f.y + f.z (7 significant bits
// each, so pos * f.x etc. are exact in f32) + f.w (the f32 remainder). Each exact product is reduced to
// [-1/2, 1/2] turns by subtracting round() (also exact), the sum is reduced again, and sin/cos come from
// polynomials on [-pi/4, pi/4] after a quadrant split, not from WGSL sin/cos (whose guaranteed accuracy
// is only 2^-11 absolute). Net: |angle error| <= ~1e-6 rad at any position < 2^17.
//
// Bindings (group 0):
//   0 uniform    p: Params { rows: u32, row0: u32, n_heads: u32, half: u32, pair_layout: u32 }
//                  rows of this chunk, its first row in x, heads, headDim/2, pair layout: 0 adjacent, 1 half
//   1 read_write x: array<f32>, (rows, n_heads * 2 * half) [+slack]   one row chunk, rotated in place
//   2 read       pos: array<u32>, (T)                                 position of every row of x
//   3 read       freq: array<vec4<f32>>, (half)                       split frequency f_i in turns
//
// Workgroup: (WG, 1, 1), one rotation pair each.
// Dispatch:  grid1d(rows * n_heads * half, WG) -> (gx, gy); pair index g = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  rows: u32,
  row0: u32,
  n_heads: u32,
  half: u32,
  pair_layout: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> pos: array<u32>;
@group(0) @binding(3) var<storage, read> freq: array<vec4<f32>>;

const TWO_PI: f32 = 6.283185307179586;

// v minus its nearest integer, in [-1/2, 1/2]; exact in f32.
fn wrap(v: f32) -> f32 {
  return v - round(v);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = gid.x + gid.y * (nwg.x * WG);
  let pairs_per_row = p.n_heads * p.half;
  if (g >= p.rows * pairs_per_row) {
    return;
  }
  let t = g / pairs_per_row;
  let rem = g - t * pairs_per_row;
  let h = rem / p.half;
  let i = rem - h * p.half;

  // Turns, reduced to [-1/2, 1/2].
  let pf = f32(pos[p.row0 + t]);
  let f = freq[i];
  let turns = wrap(wrap(pf * f.x) + wrap(pf * f.y) + wrap(pf * f.z) + pf * f.w);
  // Quadrant q in -2..2 and the remainder s in [-1/8, 1/8] turns, i.e. r in [-pi/4, pi/4].
  let q = round(4.0 * turns);
  let r = (turns - 0.25 * q) * TWO_PI;
  let r2 = r * r;
  // Taylor polynomials; truncation error < 2e-9 on [-pi/4, pi/4].
  let sr = r * (1.0 + r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 * (1.0 / 362880.0)))));
  let cr = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0 + r2 * (-1.0 / 3628800.0)))));
  // angle = r + q * pi/2; q mod 4 (two's complement & 3 is mod 4 for negative q too).
  let quadrant = i32(q) & 3;
  var sn = sr;
  var cs = cr;
  if (quadrant == 1) {
    sn = cr;
    cs = -sr;
  } else if (quadrant == 2) {
    sn = -sr;
    cs = -cr;
  } else if (quadrant == 3) {
    sn = -cr;
    cs = sr;
  }

  let head = t * (pairs_per_row * 2u) + h * (p.half * 2u);
  var ia = head + 2u * i;
  var ib = ia + 1u;
  if (p.pair_layout == 1u) {
    ia = head + i;
    ib = ia + p.half;
  }
  let a = x[ia];
  let b = x[ib];
  x[ia] = a * cs - b * sn;
  x[ib] = a * sn + b * cs;
}
