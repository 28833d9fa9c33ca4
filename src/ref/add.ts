/** Reference in-place residual add: x[i] += y[i]. */
export function addRef(x: Float32Array, y: Float32Array): void {
  if (x.length !== y.length) throw new RangeError(`addRef: x has ${x.length} elements, y has ${y.length}; they must match`);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + y[i]!;
}
