// Raw buffers for the tokenizer module. The stub runtime never frees, so every buffer is allocated once and
// only replaced when it must grow (geometrically), which bounds the waste to the final size.

/** A growable raw buffer: returns a pointer to at least `bytes` bytes, reusing `ptr` if `cap` suffices. */
export function ensure(ptr: usize, cap: i32, bytes: i32): usize {
  if (ptr != 0 && bytes <= cap) return ptr;
  return heap.alloc(<usize>max(bytes, 64));
}

/** The capacity to allocate when `need` bytes do not fit: at least double the old capacity. */
export function grown(cap: i32, need: i32): i32 {
  let c = max(cap, 64);
  while (c < need) c <<= 1;
  return c;
}
