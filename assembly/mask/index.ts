// Mask bookkeeping in Wasm: per-row top-k selection and row-normalised task-score combination.
// The ABI is numbers only: the host (src/mask/engine.ts) lays buffers out from heapBase() and grows
// memory itself; nothing here allocates.
export { topkRows } from "./select";
export { combineRows } from "./normalise";

/** First free byte of linear memory (after static data); the host's arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}
