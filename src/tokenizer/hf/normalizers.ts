// Hugging Face normalizers: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip.
import { arr, bool, type Json, obj, pattern, str, unknownStage } from "./json.ts";

/** Rewrites the text of one segment (between added tokens) before pre-tokenization. */
export type Normalizer = (s: string) => string;

/** Builds the normalizer of a tokenizer.json `normalizer` entry (null: identity); throws on unknown types. */
export function createNormalizer(cfg: unknown): Normalizer {
  if (cfg === null || cfg === undefined) return (s) => s;
  const c: Json = obj(cfg, "normalizer");
  switch (c.type) {
    case "Sequence": {
      const parts = arr(c.normalizers, "normalizer Sequence.normalizers").map(createNormalizer);
      return (s) => parts.reduce((acc, f) => f(acc), s);
    }
    case "Prepend": {
      const p = str(c.prepend, "normalizer Prepend.prepend");
      return (s) => (s.length > 0 ? p + s : s);
    }
    case "Replace": {
      const re = pattern(c.pattern, "normalizer Replace.pattern");
      const content = str(c.content, "normalizer Replace.content");
      return (s) => s.replace(re, () => content);
    }
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = c.type;
      return (s) => s.normalize(form);
    }
    case "Lowercase":
      return (s) => s.toLowerCase();
    case "Strip": {
      const left = bool(c.strip_left, true, "normalizer Strip.strip_left"), right = bool(c.strip_right, true, "normalizer Strip.strip_right");
      return (s) => (left ? (right ? s.trim() : s.trimStart()) : right ? s.trimEnd() : s);
    }
    default:
      throw unknownStage("normalizer", c.type);
  }
}
