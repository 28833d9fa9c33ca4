// attention_rows.wgsl: causal multi-head attention with grouped-query heads over a batch of right-padded
// sequences, one invocation per (query row, head): a serial streaming (online) softmax over the keys with
// the output row in registers. Same contract as attention.wgsl; built for small heads (D = 4*D4 <= 64),
// where a whole workgroup per row wastes most of its lanes and its barriers dominate (software adapters).
//
//   Query slot i of sequence b sits at position pos = qStart_b + i. If pos >= kvLen_b (padding) its
//   output row is zeros; otherwise, with kv head kh = h / group and keys j < jEnd = min(pos + 1, kvLen_b, sk),
//   out[b*sq + i, h*D + d] = sum_j softmax_j(scale * q[b*sq + i, h*D:] . k[b*sk + j, kh*D:]) v[b*sk + j, kh*D + d]
//
// Bindings (group 0):
//   0 uniform    p: Params                              words in the order of the struct below
//   1 read       seqs: array<u32>, (batch, 2)           [qStart, kvLen] per sequence
//   2 read       q:    array<vec4<f32>>, (batch*sq, nHeads*D/4)
//   3 read       k:    array<vec4<f32>>, (batch*sk, nKvHeads*D/4)
//   4 read       v:    array<vec4<f32>>, (batch*sk, nKvHeads*D/4)
//   5 read_write out:  array<vec4<f32>>, (batch*sq, nHeads*D/4) [+slack]
//
// Overrides: WG invocations per workgroup; D4 = headDim / 4 (a pipeline per head size, so loops unroll).
// Workgroup: (WG, 1, 1), one (row, head) pair per invocation.
// Dispatch:  grid1d(batch*sq*nHeads, WG) -> (gx, gy); flat = gid.x + gid.y * gx * WG = (b*sq + i)*nHeads + h.

override WG: u32 = 64u;
override D4: u32 = 2u;

struct Params {
  n: u32,          // batch*sq*nHeads
  sq: u32,
  sk: u32,
  nHeads: u32,
  group: u32,      // nHeads / nKvHeads
  qStride4: u32,   // nHeads*D/4: vec4s per q/out row
  kvStride4: u32,  // nKvHeads*D/4: vec4s per k/v row
  scale: f32,      // 1 / sqrt(D)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> seqs: array<u32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4<f32>>;

const MAX_D4: u32 = 16u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let flat = gid.x + gid.y * (nwg.x * WG);
  if (flat >= p.n) {
    return;
  }
  let h = flat % p.nHeads;
  let row = flat / p.nHeads;
  let b = row / p.sq;
  let i = row % p.sq;
  let pos = seqs[2u * b] + i;
  let kvLen = seqs[2u * b + 1u];
  let oBase = row * p.qStride4 + h * D4;
  if (pos >= kvLen) {
    for (var d = 0u; d < D4; d++) {
      out[oBase + d] = vec4<f32>(0.0);
    }
    return;
  }
  let jEnd = min(min(pos + 1u, kvLen), p.sk);
  let kh = h / p.group;
  var qr: array<vec4<f32>, MAX_D4>;
  var acc: array<vec4<f32>, MAX_D4>;
  for (var d = 0u; d < D4; d++) {
    qr[d] = q[oBase + d] * p.scale;
    acc[d] = vec4<f32>(0.0);
  }
  var m = -3.4028234663852886e38;
  var l = 0.0;
  var kBase = (b * p.sk) * p.kvStride4 + kh * D4;
  for (var j = 0u; j < jEnd; j++) {
    var s = 0.0;
    for (var d = 0u; d < D4; d++) {
      s += dot(qr[d], k[kBase + d]);
    }
    let mNew = max(m, s);
    let corr = exp(m - mNew);
    let pj = exp(s - mNew);
    l = l * corr + pj;
    for (var d = 0u; d < D4; d++) {
      acc[d] = acc[d] * corr + pj * v[kBase + d];
    }
    m = mNew;
    kBase += p.kvStride4;
  }
  let inv = 1.0 / l;
  for (var d = 0u; d < D4; d++) {
    out[oBase + d] = acc[d] * inv;
  }
}
