/**
 * Reference embedding gather: out[t, :] = table[tokens[t], :], and zeros for a token id >= V
 * (the kernel's documented behaviour for ids out of range).
 *
 * table: (V, D) row-major; tokens: (T); out: (T, D).
 */
export function embeddingRef(table: Float32Array, vocab: number, tokens: Uint32Array, out: Float32Array): void {
  if (vocab <= 0 || table.length % vocab !== 0) throw new RangeError(`embeddingRef: table has ${table.length} elements, expected a multiple of vocab ${vocab} (> 0)`);
  const d = table.length / vocab;
  if (out.length !== tokens.length * d) throw new RangeError(`embeddingRef: out has ${out.length} elements, expected ${tokens.length} tokens x ${d}`);
  for (let t = 0; t < tokens.length; t++) {
    const id = tokens[t]!;
    for (let i = 0; i < d; i++) out[t * d + i] = id < vocab ? table[id * d + i]! : 0;
  }
}
