// attention.wgsl: causal multi-head attention with grouped-query heads over a batch of right-padded
// sequences, one workgroup per (query row, head), with a streaming (online) softmax over key tiles so
// the score row is never stored.
//
//   Query slot i of sequence b sits at position pos = qStart_b + i. If pos >= kvLen_b (padding) its
//   output row is zeros; otherwise, with kv head kh = h / group and keys j < jEnd = min(pos + 1, kvLen_b),
//   out[b*sq + i, h*D + d] = sum_j softmax_j(scale * q[b*sq + i, h*D:] . k[b*sk + j, kh*D:]) v[b*sk + j, kh*D + d]
//   (jEnd is also clamped to sk so a bad kvLen cannot read another sequence's keys).
//
// Bindings (group 0):
//   0 uniform    p: Params                             words in the order of the struct below
//   1 read       seqs: array<u32>, (batch, 2)          [qStart, kvLen] per sequence
//   2 read       q:    array<f32>, (batch*sq, nHeads*D)
//   3 read       k:    array<f32>, (batch*sk, nKvHeads*D)
//   4 read       v:    array<f32>, (batch*sk, nKvHeads*D)
//   5 read_write out:  array<f32>, (batch*sq, nHeads*D) [+slack]
//
// Workgroup: (WG, 1, 1). Keys are taken in tiles of WG: thread t scores key j0 + t (a dot product over
// D), then thread lid accumulates p_t * v_t over the tile for its head dimensions d: with D <= WG,
// d = lid % D for the keys t = g, g + G, ... of its group g = lid / D (G = groups = WG / D groups; the
// G partial sums are added at the end); with D > WG (G = 1), d = lid, lid + WG, ... over every key.
// The running max, and the rescale of the partial sums by exp(mOld - mNew), are workgroup-uniform.
// Workgroup memory: qs and acc hold MAX_D floats (MAX_D >= max(D, WG)), sc/pc/lsum hold WG.
// Dispatch:  grid1d(batch*sq*nHeads, 1) -> (gx, gy); flat = wid.x + wid.y * gx = (b*sq + i)*nHeads + h.

override WG: u32 = 64u;
override MAX_D: u32 = 256u;

struct Params {
  n: u32,         // batch*sq*nHeads: workgroups with work
  sq: u32,        // query slots per sequence
  sk: u32,        // key slots per sequence
  nHeads: u32,
  headDim: u32,   // D
  group: u32,     // nHeads / nKvHeads
  groups: u32,    // G: key groups in the accumulation (WG / D when D <= WG, else 1)
  qStride: u32,   // nHeads*D: floats per q/out row
  kvStride: u32,  // nKvHeads*D: floats per k/v row
  scale: f32,     // 1 / sqrt(D)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> seqs: array<u32>;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

var<workgroup> qs: array<f32, MAX_D>;   // scaled query row
var<workgroup> acc: array<f32, MAX_D>;  // partial sums: acc[g*D + d]
var<workgroup> sc: array<f32, WG>;      // scores of the tile
var<workgroup> pc: array<f32, WG>;      // exp(score - running max) of the tile
var<workgroup> lsum: array<f32, WG>;    // per-group partial softmax denominators
var<workgroup> bounds: vec2<u32>;       // (pos, jEnd) of this workgroup's query, or jEnd = 0 for padding

// Below every finite score: the running max before the first tile.
const NEG_BIG: f32 = -3.4028234663852886e38;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let flat = wid.x + wid.y * nwg.x;
  if (flat >= p.n) {
    return;
  }
  let D = p.headDim;
  let row = flat / p.nHeads;
  let h = flat % p.nHeads;
  let b = row / p.sq;
  let i = row % p.sq;
  let outBase = row * p.qStride + h * D;

  if (lid == 0u) {
    let pos = seqs[2u * b] + i;
    let kvLen = seqs[2u * b + 1u];
    var jEnd = 0u;
    if (pos < kvLen) {
      jEnd = min(min(pos + 1u, kvLen), p.sk);
    }
    bounds = vec2<u32>(pos, jEnd);
  }
  let jEnd = workgroupUniformLoad(&bounds).y;
  if (jEnd == 0u) {
    for (var d = lid; d < D; d += WG) {
      out[outBase + d] = 0.0;
    }
    return;
  }

  let kvBase = b * p.sk * p.kvStride + (h / p.group) * D;
  for (var d = lid; d < D; d += WG) {
    qs[d] = q[outBase + d] * p.scale;
  }
  for (var x = lid; x < MAX_D; x += WG) {
    acc[x] = 0.0;
  }
  lsum[lid] = 0.0;

  // This thread's role in the accumulation.
  let G = p.groups;
  var g = 0u;
  var dFirst = lid;
  var dStep = WG;
  if (D <= WG) {
    g = lid / D;
    dFirst = lid % D;
    dStep = D;
  }
  let inGroup = g < G;

  var m = NEG_BIG;
  for (var j0 = 0u; j0 < jEnd; j0 += WG) {
    let tileLen = min(WG, jEnd - j0);
    workgroupBarrier(); // qs written; the previous tile's pc no longer read
    if (lid < tileLen) {
      let kRow = kvBase + (j0 + lid) * p.kvStride;
      var s = 0.0;
      for (var d = 0u; d < D; d++) {
        s += qs[d] * k[kRow + d];
      }
      sc[lid] = s;
    }
    workgroupBarrier();
    var mNew = m;
    for (var t = 0u; t < tileLen; t++) {
      mNew = max(mNew, sc[t]);
    }
    if (lid < tileLen) {
      pc[lid] = exp(sc[lid] - mNew);
    }
    workgroupBarrier();
    let alpha = exp(m - mNew);
    m = mNew;
    if (inGroup) {
      for (var d = dFirst; d < D; d += dStep) {
        var part = 0.0;
        for (var t = g; t < tileLen; t += G) {
          part += pc[t] * v[kvBase + (j0 + t) * p.kvStride + d];
        }
        acc[g * D + d] = acc[g * D + d] * alpha + part;
      }
      if (dFirst == 0u) {
        var l = 0.0;
        for (var t = g; t < tileLen; t += G) {
          l += pc[t];
        }
        lsum[g] = lsum[g] * alpha + l;
      }
    }
  }
  workgroupBarrier();

  var l = 0.0;
  for (var gg = 0u; gg < G; gg++) {
    l += lsum[gg];
  }
  let inv = 1.0 / l;
  for (var d = lid; d < D; d += WG) {
    var s = 0.0;
    for (var gg = 0u; gg < G; gg++) {
      s += acc[gg * D + d];
    }
    out[outBase + d] = s * inv;
  }
}
