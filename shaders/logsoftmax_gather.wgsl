// logsoftmax_gather.wgsl: per-token log-probability of a target token under a row of logits,
//   lse[t] = log(sum_v exp(logits[t, v])),   out[t] = logits[t, target[t]] - lse[t],
// for the rows t = row0 + r (r < rows) of one row chunk of the logits. out[t] = 0 where target[t] < 0
// (an ignored position) and NaN where target[t] >= V (the model layer validates targets on the host).
// Two entry points: `main` writes out; `main_lse` also writes lse (binding 4 exists only there).
//
// Bindings (group 0):
//   0 uniform    p: Params { V, rows, row0 }
//   1 read       logits:  array<f32>, (rows, V)    this chunk's rows
//   2 read       targets: array<i32>, (T)          whole tensor, indexed by row0 + r
//   3 read_write out:     array<f32>, (T) [+slack]
//   4 read_write lse:     array<f32>, (T) [+slack] (main_lse only)
//
// Workgroup: (WG, 1, 1) per row. Thread lid folds logits[r, lid + k*WG] into a running (max, sum of
// exp(x - max)) in one pass over the row; a tree reduction over the WG pairs in workgroup memory
// combines them as (m, s) + (m', s') = (M, s*exp(m - M) + s'*exp(m' - M)), M = max(m, m').
// Dispatch:  grid1d(rows, 1) -> (gx, gy); r = wid.x + wid.y * gx.

override WG: u32 = 256u;

struct Params {
  V: u32,
  rows: u32,
  row0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;

var<workgroup> wm: array<f32, WG>;
var<workgroup> ws: array<f32, WG>;

// Below every finite logit: the running max of a thread that has seen nothing.
const NEG_BIG: f32 = -3.4028234663852886e38;

// logsumexp of row r of the chunk; the result is valid in thread 0. Every thread of the workgroup calls it.
fn rowLogSumExp(r: u32, lid: u32) -> f32 {
  let base = r * p.V;
  var m = NEG_BIG;
  var s = 0.0;
  for (var c = lid; c < p.V; c += WG) {
    let x = logits[base + c];
    if (x > m) {
      s = s * exp(m - x) + 1.0;
      m = x;
    } else {
      s += exp(x - m);
    }
  }
  wm[lid] = m;
  ws[lid] = s;
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) {
      let m2 = wm[lid + half];
      let s2 = ws[lid + half];
      let mm = max(m, m2);
      s = s * exp(m - mm) + s2 * exp(m2 - mm);
      m = mm;
      wm[lid] = m;
      ws[lid] = s;
    }
  }
  return m + log(s);
}

// logits[r, target] - lse for row r, 0 for an ignored target, NaN for target >= V.
fn targetLogProb(r: u32, l: f32) -> f32 {
  let tgt = targets[p.row0 + r];
  if (tgt < 0) {
    return 0.0;
  }
  if (u32(tgt) >= p.V) {
    return bitcast<f32>(0x7fc00000u | (u32(tgt) & 0u)); // runtime NaN (a constant NaN is a WGSL error)
  }
  return logits[r * p.V + u32(tgt)] - l;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) {
    return;
  }
  let l = rowLogSumExp(r, lid);
  if (lid == 0u) {
    out[p.row0 + r] = targetLogProb(r, l);
  }
}

@compute @workgroup_size(WG)
fn main_lse(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) {
    return;
  }
  let l = rowLogSumExp(r, lid);
  if (lid == 0u) {
    out[p.row0 + r] = targetLogProb(r, l);
    lse[p.row0 + r] = l;
  }
}
