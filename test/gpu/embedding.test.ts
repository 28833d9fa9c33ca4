import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { uploadTensor } from "../../src/gpu/tensor.ts";
import { embedding } from "../../src/kernels/embedding.ts";
import { embeddingRef } from "../../src/ref/embedding.ts";
import { assertClose } from "../harness/compare.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { readChecked, sentinelTensor } from "../harness/sentinel.ts";

interface Case {
  readonly vocab: number;
  readonly d: number;
  readonly tokens: number;
  /** Rows per chunk of the table and of the output (undefined: one chunk). */
  readonly tableRows?: number;
  readonly outRows?: number;
  /** Put ids >= vocab among the tokens. */
  readonly invalid?: boolean;
}

const cases: Case[] = [
  { vocab: 1, d: 1, tokens: 1 },
  { vocab: 13, d: 7, tokens: 5 },
  { vocab: 97, d: 64, tokens: 33 },
  { vocab: 50, d: 300, tokens: 9 },
  { vocab: 101, d: 12, tokens: 41, tableRows: 17 },
  { vocab: 31, d: 5, tokens: 23, tableRows: 8, outRows: 6, invalid: true },
  { vocab: 11, d: 3, tokens: 19, invalid: true },
];

const ctx = await gpuOrSkip("embedding");
if (ctx) {
  const s = suite("embedding()");
  for (const c of cases) {
    const name = `V=${c.vocab} D=${c.d} T=${c.tokens}${c.tableRows ? `, table split every ${c.tableRows} rows` : ""}${c.outRows ? `, output split every ${c.outRows} rows` : ""}${c.invalid ? ", with ids >= V" : ""}`;
    s(`embedding() matches the reference, ${name}`, async () => {
      const rng = rngFor(`embedding ${name}`);
      const table = rng.normals(c.vocab * c.d);
      const ids = Uint32Array.from({ length: c.tokens }, () => rng.int(0, c.vocab - 1));
      ids[0] = c.vocab - 1; // the last row, in the last table chunk
      if (c.invalid) {
        ids[1] = c.vocab;
        ids[2] = 0xffffffff;
        ids[c.tokens - 1] = c.vocab + 7;
      }
      await withErrorScopes(ctx, async () => {
        const tt = uploadTensor(ctx, "embedding.table", [c.vocab, c.d], "f32", table, "weights", c.tableRows === undefined ? {} : { maxRowsPerChunk: c.tableRows });
        if (c.tableRows !== undefined) assert.ok(tt.chunks.length > 1, "the split case must really split the table");
        const tok = uploadTensor(ctx, "embedding.tokens", [c.tokens], "u32", ids, "activations");
        const out = sentinelTensor(ctx, "embedding.out", [c.tokens, c.d], c.outRows);
        const rec = new Recorder(ctx, "test.embedding");
        embedding(ctx, rec, tt, tok, out);
        rec.submit();
        const got = await readChecked(ctx, out);
        const want = new Float32Array(c.tokens * c.d);
        embeddingRef(table, c.vocab, ids, want);
        assertClose(got, want, { atol: 0, rtol: 0, shape: [c.tokens, c.d], label: `embedding ${name}` });
        if (c.invalid) assert.ok(got.subarray(c.d, 2 * c.d).every((v) => v === 0), "a row with id V is zeros");
      });
    });
  }

  s("embedding() rejects outputs and tokens of the wrong shape", () => {
    const table = uploadTensor(ctx, "embedding.bad.table", [10, 4], "f32", new Float32Array(40), "weights");
    const tok = uploadTensor(ctx, "embedding.bad.tokens", [3], "u32", new Uint32Array(3), "activations");
    const out35 = uploadTensor(ctx, "embedding.bad.out35", [3, 5], "f32", new Float32Array(15), "workspace");
    const out24 = uploadTensor(ctx, "embedding.bad.out24", [2, 4], "f32", new Float32Array(8), "workspace");
    const rec = new Recorder(ctx, "test.embedding.bad");
    assert.throws(() => embedding(ctx, rec, table, tok, out35), (e: unknown) => e instanceof RangeError && /out .* expected \[3, 4\]/.test(e.message));
    assert.throws(() => embedding(ctx, rec, table, tok, out24), (e: unknown) => e instanceof RangeError && /expected \[3, 4\]/.test(e.message));
    assert.is(rec.dispatchCount, 0);
  });

  s.run();
  releaseAfterSuites(ctx);
}
