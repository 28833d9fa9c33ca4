// Hugging Face pre-tokenizers: ByteLevel, Metaspace, Split, Sequence. A pre-tokenizer splits one segment
// into words; BPE merges never cross words.
import { GPT2_SPLIT } from "./bytelevel.ts";
import { arr, bool, type Json, obj, pattern, str, unknownStage } from "./json.ts";

/** A pre-tokenizer: `first` is true for the first segment of the input (Metaspace prepend_scheme "first"). */
export interface PreTokenizer {
  split(s: string, first: boolean): string[];
  /** The model sees bytes through GPT-2's byte-to-unicode map (a ByteLevel stage is present). */
  readonly byteLevel: boolean;
}

function splitKeep(s: string, re: RegExp): string[] {
  return s.match(re) ?? [];
}

/** Builds the pre-tokenizer of a tokenizer.json `pre_tokenizer` entry (null: one word); throws on unknown types. */
export function createPreTokenizer(cfg: unknown): PreTokenizer {
  if (cfg === null || cfg === undefined) return { split: (s) => (s.length > 0 ? [s] : []), byteLevel: false };
  const c: Json = obj(cfg, "pre_tokenizer");
  switch (c.type) {
    case "Sequence": {
      const parts = arr(c.pretokenizers, "pre_tokenizer Sequence.pretokenizers").map(createPreTokenizer);
      return {
        split: (s, first) => parts.reduce<string[]>((words, p) => words.flatMap((w, i) => p.split(w, first && i === 0)), [s]),
        byteLevel: parts.some((p) => p.byteLevel),
      };
    }
    case "ByteLevel": {
      const prefix = bool(c.add_prefix_space, true, "pre_tokenizer ByteLevel.add_prefix_space");
      const regex = bool(c.use_regex, true, "pre_tokenizer ByteLevel.use_regex");
      return {
        split: (s) => {
          if (prefix && !s.startsWith(" ")) s = " " + s;
          return regex ? splitKeep(s, GPT2_SPLIT) : s.length > 0 ? [s] : [];
        },
        byteLevel: true,
      };
    }
    case "Metaspace": {
      const rep = str(c.replacement ?? "\u2581", "pre_tokenizer Metaspace.replacement");
      const scheme = c.prepend_scheme !== undefined ? str(c.prepend_scheme, "pre_tokenizer Metaspace.prepend_scheme") : bool(c.add_prefix_space, true, "pre_tokenizer Metaspace.add_prefix_space") ? "always" : "never";
      if (scheme !== "always" && scheme !== "first" && scheme !== "never") throw new RangeError(`tokenizer.json: pre_tokenizer Metaspace.prepend_scheme is ${JSON.stringify(scheme)}; expected "always", "first" or "never"`);
      const doSplit = bool(c.split, true, "pre_tokenizer Metaspace.split");
      return {
        split: (s, first) => {
          s = s.replaceAll(" ", rep);
          if ((scheme === "always" || (scheme === "first" && first)) && !s.startsWith(rep) && s.length > 0) s = rep + s;
          if (!doSplit) return s.length > 0 ? [s] : [];
          const out: string[] = [];
          let start = 0;
          for (let i = s.indexOf(rep, 1); i >= 0; i = s.indexOf(rep, i + rep.length)) {
            out.push(s.slice(start, i));
            start = i;
          }
          if (start < s.length) out.push(s.slice(start));
          return out;
        },
        byteLevel: false,
      };
    }
    case "Split": {
      const re = pattern(c.pattern, "pre_tokenizer Split.pattern");
      const behavior = str(c.behavior, "pre_tokenizer Split.behavior");
      if (bool(c.invert, false, "pre_tokenizer Split.invert")) {
        if (behavior !== "Removed") throw new RangeError(`tokenizer.json: pre_tokenizer Split with invert=true supports behavior "Removed" only; got ${JSON.stringify(behavior)}`);
        return { split: (s) => splitKeep(s, re), byteLevel: false };
      }
      if (behavior !== "Isolated" && behavior !== "Removed") throw new RangeError(`tokenizer.json: pre_tokenizer Split.behavior ${JSON.stringify(behavior)} is not supported; expected "Isolated" or "Removed"`);
      return {
        split: (s) => {
          const out: string[] = [];
          let last = 0;
          for (const m of s.matchAll(re)) {
            if (m.index > last) out.push(s.slice(last, m.index));
            if (behavior === "Isolated" && m[0].length > 0) out.push(m[0]);
            last = m.index + m[0].length;
          }
          if (last < s.length) out.push(s.slice(last));
          return out;
        },
        byteLevel: false,
      };
    }
    default:
      throw unknownStage("pre_tokenizer", c.type);
  }
}
