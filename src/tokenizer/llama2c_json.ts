/**
 * Converts a llama2.c tokenizer (SentencePiece-style BPE by merge score) into an equivalent Hugging Face
 * `tokenizer.json` (Llama 2 style: Metaspace or Prepend/Replace front end, BPE with byte fallback).
 * Merges are derived from every split point of every piece, ranked by the piece's score, as
 * llama2.c's encoder ranks them. Used by `mazo convert` and by the tokenizer tests.
 */
import type { Llama2cVocab } from "./llama2c.ts";

/** Which SentencePiece front end the Llama-style tokenizer.json uses. */
export type SentencePieceStyle = "normalizer" | "metaspace";

/** A Llama-2-style tokenizer.json derived from a llama2.c tokenizer file. */
export function llama2cTokenizerJson(v: Llama2cVocab, style: SentencePieceStyle = "normalizer"): object {
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });
  const names = ["<unk>", "<s>", "</s>"];
  const pieces = v.pieces.map((p, i) => names[i] ?? dec.decode(p).replaceAll(" ", "\u2581"));
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
  pieces.forEach((p, i) => (vocab[p] ??= i));
  const merges: { a: string; b: string; score: number; id: number }[] = [];
  for (let id = 3 + 256; id < pieces.length; id++) {
    const p = pieces[id]!;
    const chars = Array.from(p);
    for (let k = 1; k < chars.length; k++) {
      const a = chars.slice(0, k).join(""), b = chars.slice(k).join("");
      if (vocab[a] !== undefined && vocab[b] !== undefined) merges.push({ a, b, score: v.scores[id]!, id });
    }
  }
  merges.sort((x, y) => y.score - x.score || x.id - y.id);
  const front = style === "normalizer"
    ? { normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "\u2581" }, { type: "Replace", pattern: { String: " " }, content: "\u2581" }] }, pre_tokenizer: null }
    : { normalizer: null, pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false } };
  const decoder = style === "normalizer"
    ? {
      type: "Sequence",
      decoders: [{ type: "Replace", pattern: { String: "\u2581" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }],
    }
    : { type: "Sequence", decoders: [{ type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false }, { type: "ByteFallback" }, { type: "Fuse" }] };
  return {
    version: "1.0",
    added_tokens: names.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    ...front,
    post_processor: { type: "TemplateProcessing", single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }], pair: [], special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } } },
    decoder,
    model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, vocab, merges: merges.map((m) => [m.a, m.b]) },
  };
}
