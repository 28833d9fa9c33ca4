// GPT-2's byte <-> unicode map: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in
// byte order, so every byte string becomes a printable string (ByteLevel pre-tokenizer and decoder).

/** The character GPT-2 uses for each byte, by byte value. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return out;
})();

/** The byte of each BYTE_TO_CHAR character. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** GPT-2's pre-tokenization regex (contractions, letters, numbers, other, whitespace). */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
