/** Reference broadcast bias add: y[t, j] += b[j] for y (rows, cols), b (cols). */
export function biasAddRef(y: Float32Array, b: Float32Array, rows: number, cols: number): void {
  if (y.length !== rows * cols || b.length !== cols) {
    throw new RangeError(`biasAddRef: y has ${y.length} elements and b ${b.length}; expected ${rows}x${cols} and ${cols}`);
  }
  for (let t = 0; t < rows; t++) for (let j = 0; j < cols; j++) y[t * cols + j] = y[t * cols + j]! + b[j]!;
}
