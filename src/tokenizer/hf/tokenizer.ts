// A Hugging Face tokenizer.json: added tokens split out first, then per segment normalizer -> pre-tokenizer
// -> BPE model; decoding maps ids to pieces and runs the decoder chain. Each stage is built by its factory,
// which throws on types it does not implement.
import { checkId, type EncodeOptions, type Tokenizer } from "../types.ts";
import { type AddedToken, addedTokenSplitter, parseAddedTokens, type Segment } from "./added_tokens.ts";
import { createDecoder, type Decoder } from "./decoders.ts";
import { arr, type Json, obj, unknownStage } from "./json.ts";
import { createModel, type HfModel } from "./models.ts";
import { createNormalizer, type Normalizer } from "./normalizers.ts";
import { createPreTokenizer, type PreTokenizer } from "./pre_tokenizers.ts";

const BOS_NAMES = ["<s>", "<|begin_of_text|>", "<bos>", "<|endoftext|>"];
const EOS_NAMES = ["</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>"];

/** BOS and EOS ids from a TemplateProcessing post-processor, else from well-known added-token names. */
function specialIds(post: unknown, added: readonly AddedToken[]): [number, number] {
  let bos = -1, eos = -1;
  const byName = (names: string[]): number => {
    for (const n of names) {
      const t = added.find((a) => a.content === n);
      if (t) return t.id;
    }
    return -1;
  };
  if (post !== null && post !== undefined) {
    const p: Json = obj(post, "post_processor");
    const procs = p.type === "Sequence" ? arr(p.processors, "post_processor Sequence.processors").map((x) => obj(x, "post_processor")) : [p];
    for (const q of procs) {
      if (q.type === "ByteLevel") continue;
      if (q.type !== "TemplateProcessing") throw unknownStage("post_processor", q.type);
      const single = arr(q.single, "post_processor TemplateProcessing.single");
      const specials = obj(q.special_tokens ?? {}, "post_processor TemplateProcessing.special_tokens");
      const idOf = (name: string): number => {
        const e = specials[name] as { ids?: unknown } | undefined;
        const ids = e?.ids;
        return Array.isArray(ids) && typeof ids[0] === "number" ? ids[0] : (added.find((a) => a.content === name)?.id ?? -1);
      };
      let seenSeq = false;
      for (const item of single) {
        const it = obj(item, "post_processor TemplateProcessing.single[]");
        if (it.Sequence !== undefined) seenSeq = true;
        else if (it.SpecialToken !== undefined) {
          const id = idOf(String(obj(it.SpecialToken, "SpecialToken").id));
          if (seenSeq) eos = id;
          else bos = id;
        }
      }
    }
  }
  return [bos >= 0 ? bos : byName(BOS_NAMES), eos >= 0 ? eos : byName(EOS_NAMES)];
}

/** A tokenizer.json tokenizer; build with HfTokenizer.create. */
export class HfTokenizer implements Tokenizer {
  readonly kind = "hf" as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly #split: (text: string) => Segment[];
  readonly #splitNormalized: ((text: string) => Segment[]) | undefined;
  readonly #normalize: Normalizer;
  readonly #pre: PreTokenizer;
  readonly #model: HfModel;
  readonly #decoder: Decoder;
  readonly #pieces: string[];
  readonly #special: Uint8Array; // 1 for special added tokens, skipped by decode

  private constructor(cfg: Json, stages: { normalize: Normalizer; pre: PreTokenizer; model: HfModel; decoder: Decoder }) {
    const added = parseAddedTokens(cfg.added_tokens);
    this.#model = stages.model;
    this.#pre = stages.pre;
    this.#normalize = stages.normalize;
    this.#decoder = stages.decoder;
    const normalizes = cfg.normalizer !== null && cfg.normalizer !== undefined;
    this.#split = addedTokenSplitter(added.filter((a) => !(a.normalized && normalizes)));
    const inNormalized = added.filter((a) => a.normalized && normalizes).map((a) => ({ ...a, content: stages.normalize(a.content) }));
    this.#splitNormalized = inNormalized.length > 0 ? addedTokenSplitter(inNormalized) : undefined;
    const model = stages.model;
    this.vocabSize = Math.max(model.pieces.length, ...added.map((a) => a.id + 1));
    this.#pieces = Array.from({ length: this.vocabSize }, (_, i) => model.pieces[i] ?? "");
    this.#special = new Uint8Array(this.vocabSize);
    for (const a of added) {
      this.#pieces[a.id] = a.content;
      if (a.special) this.#special[a.id] = 1;
    }
    [this.bosId, this.eosId] = specialIds(cfg.post_processor, added);
  }

  /** Builds a tokenizer from a parsed tokenizer.json; throws naming any stage type it does not implement. */
  static async create(json: unknown): Promise<HfTokenizer> {
    const cfg = obj(json, "tokenizer.json root");
    const normalize = createNormalizer(cfg.normalizer);
    const decoder = createDecoder(cfg.decoder);
    const pre = createPreTokenizer(cfg.pre_tokenizer);
    specialIds(cfg.post_processor, parseAddedTokens(cfg.added_tokens)); // validates the post-processor before the model is built
    const model = await createModel(cfg.model, pre.byteLevel);
    return new HfTokenizer(cfg, { normalize, pre, model, decoder });
  }

  encode(text: string, opts: EncodeOptions = {}): Int32Array {
    const parts: Int32Array[] = [];
    if (opts.bos) parts.push(Int32Array.of(this.#need(this.bosId, "bos")));
    for (const seg of this.#split(text)) {
      if (seg.id >= 0) parts.push(Int32Array.of(seg.id));
      else {
        const text = this.#normalize(seg.text), first = seg.start === 0;
        for (const sub of this.#splitNormalized?.(text) ?? [{ text, id: -1, start: 0 }]) {
          if (sub.id >= 0) parts.push(Int32Array.of(sub.id));
          else {
            const words = this.#pre.split(sub.text, first);
            if (words.length > 0) parts.push(this.#model.encodeWords(words));
          }
        }
      }
    }
    if (opts.eos) parts.push(Int32Array.of(this.#need(this.eosId, "eos")));
    if (parts.length === 1) return parts[0]!;
    const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  #need(id: number, what: string): number {
    if (id < 0) throw new RangeError(`HfTokenizer.encode: ${what}: true, but this tokenizer.json defines no ${what.toUpperCase()} token`);
    return id;
  }

  decode(ids: ArrayLike<number>): string {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      checkId(id, this.vocabSize, "HfTokenizer.decode");
      if (this.#special[id] === 0) tokens.push(this.#pieces[id]!);
    }
    return this.#decoder(tokens).join("");
  }

  idToPiece(id: number): string {
    checkId(id, this.vocabSize, "HfTokenizer.idToPiece");
    return this.#pieces[id]!;
  }
}
