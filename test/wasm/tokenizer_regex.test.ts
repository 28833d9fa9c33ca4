// The Oniguruma -> JavaScript pattern rewrite (src/tokenizer/hf/regex.ts) that lets every runtime compile
// tokenizer.json split patterns: Node 20 has no inline modifier groups such as (?i:'s|'t), so the rewrite,
// not the engine, must give them their meaning. Checked construct by construct, and against the engine's
// own (?i:...) where the runtime has it.
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { compilePattern, oniguruma } from "../../src/tokenizer/hf/regex.ts";
import { rngFor } from "../harness/random.ts";
import { randomTexts } from "../fixtures/tokenizer_compare.ts";

const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN = LLAMA3.replace("\\p{N}{1,3}", "\\p{N}");
const native = (src: string): RegExp | undefined => {
  try {
    return new RegExp(src, "gu");
  } catch {
    return undefined;
  }
};
const nativeModifiers = native("(?i:a)") !== undefined;
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const split = (re: RegExp, s: string): string[] => s.match(re) ?? [];

const t = suite("tokenizer.json pattern rewrite (Oniguruma -> JavaScript)");

t(`Llama 3 and Qwen patterns compile here (${isDeno ? "Deno" : `Node ${process.versions.node}`}; engine has (?i:...): ${nativeModifiers})`, () => {
  if (!isDeno && Number(process.versions.node.split(".")[0]) < 23) {
    assert.not.ok(nativeModifiers, "Node 20 was expected to reject (?i:...)");
    assert.throws(() => new RegExp(LLAMA3, "gu"), /Invalid group|Invalid regular expression/);
  }
  assert.instance(compilePattern(LLAMA3), RegExp);
  assert.instance(compilePattern(QWEN), RegExp);
  assert.not.match(oniguruma(LLAMA3), /\(\?i/);
});

t("(?i:...) contractions split in every case, as transformers.js does", () => {
  const re = compilePattern(LLAMA3);
  assert.equal(split(re, "IT'S we'Ll they'RE I'M you'Ve he'D don'T"), ["IT", "'S", " we", "'Ll", " they", "'RE", " I", "'M", " you", "'Ve", " he", "'D", " don", "'T"]);
  assert.equal(split(re, "1234567 x"), ["123", "456", "7", " x"]);
  assert.equal(split(compilePattern(QWEN), "2024"), ["2", "0", "2", "4"]);
});

t("rewritten (?i:...) equals the engine's own on random strings where the engine has it (else: skipped)", () => {
  if (!nativeModifiers) return;
  const ours = compilePattern(LLAMA3), theirs = native(LLAMA3)!;
  // The engine's \s adds U+FEFF and lacks U+0085, and its case folding joins ſ with s and K (Kelvin) with k;
  // the rewrite follows Oniguruma and transformers.js there, so those characters are left out here.
  const texts = randomTexts(rngFor("regex native"), 2000, 30).map((s) => s.replace(/[\ufeff\u0085\u017f\u212a]/g, "")).concat(["'S'T'RE'LL'Ve'm'D", "A'sB'tC'ReD'lL"]);
  for (const s of texts) assert.equal(split(ours, s), split(theirs, s), JSON.stringify(s));
});

t("each construct rewrites to its JavaScript equivalent", () => {
  const cases: [string, string, string[]][] = [
    // pattern, input, expected matches
    ["\\s+", "a\ufeff\u0085\u00a0b", ["\u0085\u00a0"]],
    ["\\S+", "a\ufeffb c", ["a\ufeffb", "c"]],
    ["(?i)ab[c-e]", "ABD abc aBE abf", ["ABD", "abc", "aBE"]],
    ["(?i:[a-c]x)|y", "Bx bX CY y", ["Bx", "bX", "y"]],
    ["(?i:\\x41)\\x{42}", "aB AB ab", ["aB", "AB"]],
    ["a{,2}b", "aaab", ["aab"]],
    ["(?:ab){1}+", "ababx", ["abab"]],
    ["a++b|c*+d|e?+f", "aab ccd ef", ["aab", "ccd", "ef"]],
    ["(?>ab|a)c", "abc", ["abc"]],
    ["[a[bc]]+", "abcd", ["abc"]],
    ["[^a[bc]]+", "abcd", ["d"]],
    ["[\\w&&[^\\d]]+", "ab12cd", ["ab", "cd"]],
    ["[[:digit:]]+", "a123", ["123"]],
    ["\\d+", "1٢3", ["1٢3"]],
    [".+", "a\rb\nc", ["a\rb", "c"]],
    ["^x|y$", "x\nx y\ny", ["x", "x", "y", "y"]],
    ["\\Ax|y\\z", "xx yy", ["x", "y"]],
    ["a(?#comment)b", "ab", ["ab"]],
    ["(?P<n>a)b", "ab", ["ab"]],
    ["\\'s", "'s", ["'s"]],
    ["{x}", "{x}", ["{x}"]],
  ];
  for (const [p, s, want] of cases) assert.equal(split(compilePattern(p), s), want, `${p} on ${JSON.stringify(s)} (rewritten ${oniguruma(p)})`);
});

t("ſ and the Kelvin sign do not fold into s and k under (?i:...), as in transformers.js", () => {
  assert.equal(split(compilePattern("(?i:'s|k)"), "'ſ \u212a 'S K"), ["'S", "K"]);
});

t("malformed patterns throw SyntaxError naming the pattern and the place", () => {
  for (const [p, re] of [["[abc", /unterminated character class at index 0/], ["(ab", /unterminated group/], ["ab)", /unbalanced \)/], ["(?x:a)", /inline flag\(s\) "x"/], ["a\\", /trailing backslash/]] as const) {
    try {
      compilePattern(p);
      assert.unreachable(`${p} was accepted`);
    } catch (e) {
      assert.instance(e, SyntaxError);
      assert.match((e as Error).message, re);
      assert.ok((e as Error).message.includes(JSON.stringify(p)), (e as Error).message);
    }
  }
});

t.run();
