// The public tokenizer API: format detection, loading from bytes, JSON text, objects, files and model
// folders, and the `mazo tokenize` command's output.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tokenizeCommand } from "../../src/cli/tokenize.ts";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { resolveTokenizerPath, tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { detectTokenizerKind, loadTokenizer } from "../../src/tokenizer/load.ts";
import { gpt2TokenizerJson } from "../fixtures/tokenizer_json.ts";

const tok512Path = join(dataDir(), "stories260K/tok512.bin");
const tmp = mkdtempSync(join(tmpdir(), "mazo-tok-"));
const gpt2Path = join(tmp, "tokenizer.json");
writeFileSync(gpt2Path, JSON.stringify(gpt2TokenizerJson()));

const load = suite("loadTokenizer / tokenizerFromFile");

load("detects llama2.c bytes and tokenizer.json bytes", () => {
  assert.is(detectTokenizerKind(readBytes(tok512Path)), "llama2c");
  assert.is(detectTokenizerKind(readBytes(gpt2Path)), "hf");
});

load("bytes, JSON text and parsed JSON give the same tokenizer", async () => {
  const a = await loadTokenizer(readBytes(gpt2Path));
  const b = await loadTokenizer(JSON.stringify(gpt2TokenizerJson()));
  const c = await loadTokenizer(gpt2TokenizerJson(), "hf");
  assert.is(a.kind, "hf");
  for (const t of [b, c]) assert.equal(Array.from(t.encode("Hello world")), Array.from(a.encode("Hello world")));
  assert.equal(Array.from(a.encode("Hello world")), [15496, 995]);
});

load("a llama2.c tokenizer needs bytes", async () => {
  try {
    await loadTokenizer("{}", "llama2c");
    assert.unreachable("accepted a string as llama2.c");
  } catch (e) {
    assert.instance(e, TypeError);
  }
});

load("a model folder resolves to tokenizer.json, tokenizer.bin or tok*.bin", async () => {
  assert.is(resolveTokenizerPath(join(dataDir(), "stories260K")), tok512Path);
  assert.is(resolveTokenizerPath(tmp), gpt2Path);
  assert.is(resolveTokenizerPath(join(dataDir(), "llama2-tokenizer")), join(dataDir(), "llama2-tokenizer/tokenizer.bin"));
  const t = await tokenizerFromFile(join(dataDir(), "stories260K"));
  assert.is(t.kind, "llama2c");
  assert.equal(Array.from(t.encode("Once upon a time", { bos: true })), [1, 403, 407, 261, 378]);
  assert.throws(() => resolveTokenizerPath(join(tmp, "missing")), /does not exist/);
  assert.throws(() => resolveTokenizerPath(dataDir()), /has no tokenizer.json/);
});

load.run();

const cli = suite("tokenizeCommand");

cli("--text prints ids, then pieces without --json", async () => {
  const lines: string[] = [];
  await tokenizeCommand({ tokenizer: tok512Path, text: "Once upon a time", json: false }, (l) => lines.push(l));
  assert.is(lines[0], "1 403 407 261 378");
  assert.is(lines.length, 2);
  assert.match(lines[1]!, /Once/);
});

cli("--file --json prints one JSON array per input line", async () => {
  const f = join(tmp, "lines.txt");
  writeFileSync(f, "Once upon a time\n\nHello world!\n");
  const lines: string[] = [];
  await tokenizeCommand({ tokenizer: tok512Path, file: f, json: true }, (l) => lines.push(l));
  assert.equal(lines.map((l) => JSON.parse(l) as number[]), [[1, 403, 407, 261, 378], [1], [1, 346, 306, 414, 263, 304, 341, 443]]);
});

cli("needs exactly one of text and file", async () => {
  for (const opts of [{ tokenizer: tok512Path, json: false }, { tokenizer: tok512Path, text: "a", file: "b", json: false }]) {
    try {
      await tokenizeCommand(opts, () => {});
      assert.unreachable("accepted");
    } catch (e) {
      assert.instance(e, TypeError);
    }
  }
});

cli.after(() => rmSync(tmp, { recursive: true, force: true }));
cli.run();
