// Hugging Face decoders: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence. A decoder maps
// the list of token strings to a list of strings whose concatenation is the text.
import { CHAR_TO_BYTE } from "./bytelevel.ts";
import { arr, type Json, num, obj, pattern, str, unknownStage } from "./json.ts";

/** One decoding step over the token strings. */
export type Decoder = (tokens: string[]) => string[];

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** Builds the decoder of a tokenizer.json `decoder` entry (null: concatenation); throws on unknown types. */
export function createDecoder(cfg: unknown): Decoder {
  if (cfg === null || cfg === undefined) return (t) => t;
  const c: Json = obj(cfg, "decoder");
  switch (c.type) {
    case "Sequence": {
      const parts = arr(c.decoders, "decoder Sequence.decoders").map(createDecoder);
      return (t) => parts.reduce((acc, d) => d(acc), t);
    }
    case "ByteLevel":
      return (t) => {
        const s = t.join("");
        const bytes = new Uint8Array(s.length);
        let n = 0;
        for (const ch of s) {
          const b = CHAR_TO_BYTE.get(ch);
          if (b !== undefined) bytes[n++] = b;
        }
        return [new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, n))];
      };
    case "Metaspace": {
      const rep = str(c.replacement ?? "\u2581", "decoder Metaspace.replacement");
      const strip = c.prepend_scheme !== undefined ? c.prepend_scheme !== "never" : c.add_prefix_space !== false;
      return (t) => t.map((s, i) => {
        const r = s.replaceAll(rep, " ");
        return i === 0 && strip && r.startsWith(" ") ? r.slice(1) : r;
      });
    }
    case "Replace": {
      const re = pattern(c.pattern, "decoder Replace.pattern");
      const content = str(c.content, "decoder Replace.content");
      return (t) => t.map((s) => s.replace(re, () => content));
    }
    case "ByteFallback":
      return (t) => {
        const out: string[] = [];
        let pending: number[] = [];
        const flush = (): void => {
          if (pending.length === 0) return;
          try {
            out.push(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(pending)));
          } catch {
            for (let i = 0; i < pending.length; i++) out.push("\uFFFD");
          }
          pending = [];
        };
        for (const s of t) {
          const m = BYTE_TOKEN.exec(s);
          if (m) pending.push(parseInt(m[1]!, 16));
          else {
            flush();
            out.push(s);
          }
        }
        flush();
        return out;
      };
    case "Fuse":
      return (t) => [t.join("")];
    case "Strip": {
      const content = str(c.content, "decoder Strip.content");
      const start = num(c.start, "decoder Strip.start"), stop = num(c.stop, "decoder Strip.stop");
      return (t) => t.map((s) => {
        let a = 0, b = s.length;
        for (let i = 0; i < start && s.startsWith(content, a); i++) a += content.length;
        for (let i = 0; i < stop && b - content.length >= a && s.endsWith(content, b); i++) b -= content.length;
        return s.slice(a, b);
      });
    }
    default:
      throw unknownStage("decoder", c.type);
  }
}
