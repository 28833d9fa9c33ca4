// embedding.wgsl: embedding gather for one (table chunk, output chunk) pair:
//   out[t, :] = table[tokens[out_row0 + t] - row0, :]  for every output row t whose token lies in
//   [row0, row0 + table_rows), the rows of the table this chunk holds. Rows whose token is >= vocab
//   (out of range) are written as zeros by the dispatch with zero_invalid = 1 (the first table chunk),
//   so no id ever reads out of bounds; other rows are left to the dispatches of other table chunks.
//
// Bindings (group 0):
//   0 uniform    p: Params { out_rows: u32, out_row0: u32, d: u32, row0: u32, table_rows: u32,
//                            vocab: u32, zero_invalid: u32 }
//   1 read       tokens: array<u32>, (T)                   token id of every output row
//   2 read       w: (table_rows, D)                        one row chunk of the (V, D) table, f32 or
//                                                          packed f16/bf16; declared by the weight-load
//                                                          prelude (wload_f32.wgsl or wload_half.wgsl,
//                                                          src/kernels/weight_load.ts), read by w_at(e)
//   3 read_write out: array<f32>, (out_rows, D) [+slack]    one row chunk of the (T, D) output
//
// Workgroup: (WG, 1, 1), one output element each.
// Dispatch:  grid1d(out_rows * D, WG) -> (gx, gy); element e = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  out_rows: u32,
  out_row0: u32,
  d: u32,
  row0: u32,
  table_rows: u32,
  vocab: u32,
  zero_invalid: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * (nwg.x * WG);
  if (e >= p.out_rows * p.d) {
    return;
  }
  let t = e / p.d;
  let i = e - t * p.d;
  let id = tokens[p.out_row0 + t];
  if (id >= p.vocab) {
    if (p.zero_invalid == 1u) {
      out[e] = 0.0;
    }
    return;
  }
  // id >= row0 here, so the subtraction cannot wrap.
  if (id < p.row0 || id - p.row0 >= p.table_rows) {
    return;
  }
  out[e] = w_at((id - p.row0) * p.d + i);
}
