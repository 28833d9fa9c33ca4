/**
 * Dispatch-size helpers. A 1-D problem of n invocations is laid out as (x, y) workgroups with x at most
 * `maxDim`, and kernels recover the flat index as `gid.x + gid.y * (num_workgroups.x * WG)`.
 */

/** Workgroups (x, y) covering `n` invocations with `wg` per workgroup. */
export function grid1d(n: number, wg: number, maxDim: number): [number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= maxDim) return [groups, 1];
  const y = Math.ceil(groups / maxDim);
  if (y > maxDim) throw new RangeError(`grid1d: ${n} invocations need ${groups} workgroups of ${wg}, more than ${maxDim}^2`);
  return [Math.ceil(groups / y), y];
}
