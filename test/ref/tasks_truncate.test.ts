/**
 * Truncation of the long field on real data: BoolQ and RTE prompts encoded with stories260K's 512-piece
 * tokenizer under a tight limit keep their question (the passage/premise is cut first), and fit.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir } from "../../src/io/files.ts";
import { tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { encodeExample } from "../../src/tasks/encode.ts";
import { loadTask } from "../../src/tasks/load.ts";

const tok = await tokenizerFromFile(join(dataDir(), "stories260K", "tok512.bin"));
const s = suite("long-field truncation on built-in tasks");

for (const [task, question] of [["boolq", /\?\n$/], ["rte", /Does this mean that ".*" is true\? Yes or No\?\n$/s]] as const) {
  s(`${task}: over-long prompts lose the end of their passage, not their question`, async () => {
    const t = await loadTask(task, { seed: 0, sizes: { train: 0, dev: 0, test: 40 } });
    const maxLength = 96;
    let shortened = 0;
    for (const ex of t.test) {
      const e = encodeExample(ex, tok, { maxLength });
      for (const seq of e.sequences) assert.ok(seq.tokens.length <= maxLength);
      if (e.shortened === 0) continue;
      shortened++;
      assert.ok(e.example.prompt.length < ex.prompt.length);
      assert.match(e.example.prompt, question, `${ex.id}: ${JSON.stringify(e.example.prompt.slice(-80))}`);
      // The prompt still starts with the passage's start, and its end (the question part) is intact.
      const tail = ex.prompt.slice(ex.shorten!.end);
      assert.ok(e.example.prompt.endsWith(tail), `${ex.id}: lost part of ${JSON.stringify(tail)}`);
      const kept = e.example.shorten!.end - e.example.shorten!.start;
      if (kept >= 20) assert.ok(e.example.prompt.startsWith(ex.prompt.slice(0, 20)), `${ex.id}: passage start lost`);
      if (e.dropped.every((d) => d === 0)) assert.is(tok.decode(e.sequences[0]!.tokens), e.example.prompt + ex.candidates[0]);
    }
    assert.ok(shortened >= 10, `only ${shortened} of 40 ${task} prompts needed shortening at ${maxLength} tokens`);
  });
}

s.run();
