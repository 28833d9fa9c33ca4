// Broken JSON side files name themselves (issue 14): tokenizer.json, checkpoint.json and a run's
// config.json give a MazoFormatError with the path, never a bare SyntaxError; an oversized tokenizer
// file is refused by its size before it is read.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readRunFolder } from "../../src/cli/run_folder.ts";
import { MazoFormatError } from "../../src/io/errors.ts";
import { MAX_TOKENIZER_BYTES, tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { readCheckpoint } from "../../src/train/checkpoint.ts";
import { memorySink } from "../../src/train/sink.ts";

const tmp = mkdtempSync(join(tmpdir(), "mazo-json-"));
const s = suite("broken JSON side files");

async function rejectsWith(p: Promise<unknown>, file: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, MazoFormatError);
    assert.match((e as Error).message, `${file}: JSON: not valid JSON`);
    return;
  }
  assert.unreachable("must throw");
}

s("tokenizer.json", async () => {
  const f = join(tmp, "tokenizer.json");
  writeFileSync(f, '{"model": {"type": "BPE", ');
  await rejectsWith(tokenizerFromFile(f), f);
});
s("checkpoint.json", async () => {
  const sink = memorySink(new Map([["checkpoint.json", new TextEncoder().encode("{\"version\": 1, \"st")]]));
  await rejectsWith(readCheckpoint(sink), "checkpoint.json");
});
s("a run folder's config.json", async () => {
  const d = join(tmp, "run");
  mkdirSync(d);
  writeFileSync(join(d, "config.json"), "{oops");
  writeFileSync(join(d, "trajectory.jsonl"), "{}\n");
  await rejectsWith(Promise.resolve().then(() => readRunFolder(d)), join(d, "config.json"));
});
s("an oversized tokenizer file is refused by its size", async () => {
  const f = join(tmp, "huge.json");
  writeFileSync(f, "");
  truncateSync(f, MAX_TOKENIZER_BYTES + 1); // sparse: no disk used
  try {
    await tokenizerFromFile(f);
    assert.unreachable("must throw");
  } catch (e) {
    assert.instance(e, MazoFormatError);
    assert.match((e as Error).message, `${f}: size: ${MAX_TOKENIZER_BYTES + 1} bytes, more than the ${MAX_TOKENIZER_BYTES}`);
  }
});
s.after(() => rmSync(tmp, { recursive: true, force: true }));
s.run();
