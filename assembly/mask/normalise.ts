// Row normalisation of several tasks' scores and their sum, one row at a time.
//
// Legend: T = tasks, R = rows in the block, C = columns.
// Memory layout (byte pointers into linear memory, laid out by the host, src/mask/engine.ts):
//   src (T, R, C) f32  read: task t's block at src + 4*t*R*C
//   acc (C)       f64  scratch: the row's running sum over tasks
//   out (R, C)    f32  written: f32(sum over t of f32(normalised task t score))
//
// Modes (the host's RowNorm): 0 none: s; 1 sum: s / sum|s|; 2 max: s / max|s|;
// 3 zscore: (s - mean) / std with the population std (divide by C). A zero divisor (an all-zero row,
// or a constant row for zscore) gives a row of zeros. Statistics accumulate in f64 in column order,
// which src/ref/mask.ts repeats operation for operation, so both give bit-identical results.

export const MODE_NONE: i32 = 0;
export const MODE_SUM: i32 = 1;
export const MODE_MAX: i32 = 2;
export const MODE_ZSCORE: i32 = 3;

/**
 * Normalises row r of every task and sums them into out's row r, for each of `rows` rows. Returns -1, or
 * the element offset t*R*C + r*C + c of the first non-finite score in (row, task, column) order (rows
 * before it are written).
 */
export function combineRows(src: usize, tasks: u32, rows: u32, cols: u32, mode: i32, acc: usize, out: usize): i32 {
  const plane = <usize>rows * cols;
  const n = <f64>cols;
  for (let r: u32 = 0; r < rows; r++) {
    for (let t: u32 = 0; t < tasks; t++) {
      const off = <usize>t * plane + <usize>r * cols;
      const row = src + (off << 2);
      let sumAbs: f64 = 0;
      let maxAbs: f64 = 0;
      let sum: f64 = 0;
      for (let c: u32 = 0; c < cols; c++) {
        const bits = load<u32>(row + (<usize>c << 2));
        if ((bits & 0x7f800000) == 0x7f800000) return <i32>(off + c);
        const s = <f64>reinterpret<f32>(bits);
        const a = Math.abs(s);
        sumAbs += a;
        if (a > maxAbs) maxAbs = a;
        sum += s;
      }
      let centre: f64 = 0;
      let div: f64 = 1;
      if (mode == MODE_SUM) div = sumAbs;
      else if (mode == MODE_MAX) div = maxAbs;
      else if (mode == MODE_ZSCORE) {
        centre = sum / n;
        let ss: f64 = 0;
        for (let c: u32 = 0; c < cols; c++) {
          const d = <f64>load<f32>(row + (<usize>c << 2)) - centre;
          ss += d * d;
        }
        div = Math.sqrt(ss / n);
      }
      for (let c: u32 = 0; c < cols; c++) {
        const s = <f64>load<f32>(row + (<usize>c << 2));
        const v: f64 = mode == MODE_NONE ? s : div == 0 ? 0 : <f64><f32>((s - centre) / div);
        const p = acc + (<usize>c << 3);
        store<f64>(p, t == 0 ? v : load<f64>(p) + v);
      }
    }
    const o = out + ((<usize>r * cols) << 2);
    for (let c: u32 = 0; c < cols; c++) store<f32>(o + (<usize>c << 2), <f32>load<f64>(acc + (<usize>c << 3)));
  }
  return -1;
}
