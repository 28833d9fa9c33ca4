// Added (and special) tokens of a tokenizer.json, matched leftmost-longest with their lstrip/rstrip
// whitespace absorbed: those with normalized: false are split out of the raw text, those with normalized:
// true (the default for non-special tokens) out of each normalized segment, as transformers.js does. A
// literal special token in the input ("<|begin_of_text|>") is that token, as in transformers.js by default.
import { arr, bool, type Json, num, obj, str, tokenId } from "./json.ts";

/** One added token. */
export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
  /** Matched after normalization (against the normalized content). */
  normalized: boolean;
}

/** A piece of the input: plain text (id -1) or one added token. */
export interface Segment {
  text: string;
  id: number;
  /** Offset of the segment in the input. */
  start: number;
}

/** Parses the `added_tokens` array. */
export function parseAddedTokens(v: unknown): AddedToken[] {
  if (v === undefined || v === null) return [];
  return arr(v, "added_tokens").map((t, i) => {
    const o: Json = obj(t, `added_tokens[${i}]`);
    const special = bool(o.special, false, `added_tokens[${i}].special`);
    return {
      id: tokenId(o.id, `added_tokens[${i}].id`),
      content: str(o.content, `added_tokens[${i}].content`),
      special,
      lstrip: bool(o.lstrip, false, `added_tokens[${i}].lstrip`),
      rstrip: bool(o.rstrip, false, `added_tokens[${i}].rstrip`),
      normalized: bool(o.normalized, !special, `added_tokens[${i}].normalized`),
    };
  });
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Splits text into plain segments and the given added tokens (their `content` as matched); returns the splitter. */
export function addedTokenSplitter(tokens: readonly AddedToken[]): (text: string) => Segment[] {
  const usable = tokens.filter((t) => t.content.length > 0).sort((a, b) => b.content.length - a.content.length);
  if (usable.length === 0) return (text) => (text.length > 0 ? [{ text, id: -1, start: 0 }] : []);
  const re = new RegExp(usable.map((t) => `${t.lstrip ? "\\s*" : ""}(${escape(t.content)})${t.rstrip ? "\\s*" : ""}`).join("|"), "gu");
  return (text) => {
    const out: Segment[] = [];
    let last = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > last) out.push({ text: text.slice(last, m.index), id: -1, start: last });
      const g = m.findIndex((x, i) => i > 0 && x !== undefined);
      out.push({ text: m[0], id: usable[g - 1]!.id, start: m.index });
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push({ text: text.slice(last), id: -1, start: last });
    return out;
  };
}
