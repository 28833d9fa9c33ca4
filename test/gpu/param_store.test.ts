// ParamStore: packing stories260K into arena buffers (split with a tiny binding cap), bit-exact download,
// segment tables covering every element exactly once, 256-byte-aligned views, memory accounting.
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { GpuContext } from "../../src/gpu/context.ts";
import { readTensor } from "../../src/gpu/tensor.ts";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { parseLlama2c } from "../../src/model/llama2c.ts";
import { ParamStore, planArena } from "../../src/model/param_store.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";

const weights = parseLlama2c(readBytes(join(dataDir(), "stories260K", "stories260K.bin")));
/** 16 KiB: tok_embeddings (128 KiB) and every w1/w2/w3 (43 KiB) are split; a 64x64 wq (16 KiB) just fits. */
const TINY_CAP = 16384;

function assertBitExact(got: HostWeights, want: HostWeights): void {
  assert.equal(got.config, want.config);
  assert.equal(got.tensors.map((t) => t.name), want.tensors.map((t) => t.name));
  got.tensors.forEach((t, i) => {
    const w = want.tensors[i]!;
    assert.equal(t.shape, w.shape, t.name);
    const a = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length), b = new Uint32Array(w.data.buffer, w.data.byteOffset, w.data.length);
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) assert.unreachable(`${t.name}[${k}]: got bits ${a[k]}, want ${b[k]}`);
  });
}

/** Checks the layout invariants of a store against the context's limits. */
function checkLayout(ctx: GpuContext, store: ParamStore): void {
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const covered = store.entries.map((e) => new Uint8Array(e.numel));
  store.buffers.forEach((b, bi) => {
    assert.ok(b.buffer.size <= ctx.bindingCap, `arena buffer ${bi}: ${b.buffer.size} bytes > cap ${ctx.bindingCap}`);
    assert.is(b.elems * 4, b.buffer.size);
    assert.is(b.segments.length % 4, 0);
    let end = 0;
    for (let s = 0; s < b.segments.length; s += 4) {
      const [id, start, count, first] = [b.segments[s]!, b.segments[s + 1]!, b.segments[s + 2]!, b.segments[s + 3]!];
      assert.ok(start >= end, `buffer ${bi} segment ${s / 4} overlaps the previous one`);
      assert.is((start * 4) % align, 0, `buffer ${bi} segment ${s / 4} starts at an unaligned offset`);
      assert.ok(start + count <= b.elems, `buffer ${bi} segment ${s / 4} runs past the buffer`);
      end = start + count;
      const cov = covered[id]!;
      for (let k = first; k < first + count; k++) cov[k] = cov[k]! + 1;
    }
  });
  store.entries.forEach((e, i) => {
    assert.is(e.id, i);
    const bad = covered[i]!.findIndex((c) => c !== 1);
    assert.is(bad, -1, `${e.name}: element ${bad} covered ${covered[i]![bad]} times`);
    let rows = 0;
    for (const c of e.tensor.chunks) {
      assert.is(c.offset % align, 0, `${e.name} chunk offset ${c.offset}`);
      assert.is(c.row0, rows, `${e.name}: chunks must be consecutive rows`);
      assert.ok(c.bytes >= c.rows * e.tensor.rowElems * 4 && c.offset + c.bytes <= c.buffer.size && c.bytes <= ctx.bindingCap, `${e.name}: chunk byte range`);
      rows += c.rows;
    }
    assert.is(rows, e.shape[0]);
  });
}

const ctx = await gpuOrSkip("param_store", { bindingCap: TINY_CAP });
if (ctx) {
  const s = suite("ParamStore on stories260K");

  s("a 16 KiB binding cap splits the embedding and FFN matrices; download is bit-exact", async () => {
    await withErrorScopes(ctx, async () => {
      const before = ctx.memory.report().current.weights;
      const store = ParamStore.upload(ctx, weights);
      assert.ok(store.get("tok_embeddings").chunks.length >= 8, `tok_embeddings in ${store.get("tok_embeddings").chunks.length} chunks`);
      assert.ok(store.get("layers.0.w2").chunks.length >= 3, "w2 split");
      assert.is(store.get("layers.0.wq").chunks.length, 1, "a tensor that fits a fresh buffer stays whole");
      assert.is(ctx.memory.report().current.weights - before, store.bytes);
      checkLayout(ctx, store);
      assertBitExact(await store.download(ctx), weights);
      // A split tensor reads back through its chunks too.
      assert.equal(Array.from(await readTensor(ctx, store.get("layers.4.w1"))), Array.from(weights.tensors[store.entry("layers.4.w1").id]!.data));
      store.destroy(ctx);
      assert.is(ctx.memory.report().current.weights, before);
    });
  });

  s("entries are in canonical order with kinds, and unknown names list similar ones", async () => {
    await withErrorScopes(ctx, () => {
      const store = ParamStore.upload(ctx, weights);
      try {
        assert.equal(store.entries.map((e) => e.name), weights.tensors.map((t) => t.name));
        assert.is(store.entry("tok_embeddings").kind, "embedding");
        assert.is(store.entry("layers.2.wk").kind, "matrix");
        assert.is(store.entry("norm").kind, "vector");
        assert.is(store.entry(3).name, "layers.0.wk");
        assert.throws(() => store.get("layers.0.wqq"), /no tensor "layers.0.wqq" among 47; similar: layers.0.wq/);
        assert.throws(() => store.entry(47), /tensor id 47 is outside \[0, 47\)/);
      } finally {
        store.destroy(ctx);
      }
    });
  });

  s.run();
}

const big = await gpuOrSkip("param_store default cap");
if (big) {
  const s = suite("ParamStore with the device's binding cap");
  s("stories260K packs into one arena buffer and reads back bit-exactly", async () => {
    await withErrorScopes(big, async () => {
      const store = ParamStore.upload(big, weights);
      assert.is(store.buffers.length, 1);
      checkLayout(big, store);
      assertBitExact(await store.download(big), weights);
      store.destroy(big);
    });
  });
  s.run();
}

const p = suite("planArena()");
p("keeps tensors whole when a fresh buffer holds them, splits rows otherwise, never exceeds the cap", () => {
  const { placements, bufferBytes } = planArena([[10], [3, 100], [1000, 4], [2]], 1024, 256);
  assert.ok(bufferBytes.every((b) => b <= 1024));
  // [3, 100] (1200 B) cannot fit one 1024-byte buffer, so it is split by rows; [1000, 4] (16000 B) too.
  const rowsOf = (id: number): number => placements.filter((x) => x.id === id).reduce((a, x) => a + x.rows, 0);
  assert.equal([rowsOf(0), rowsOf(1), rowsOf(2), rowsOf(3)], [10, 3, 1000, 2]);
  const brief = placements.map((x) => [x.id, x.bufferIndex, x.offset, x.row0, x.rows]);
  // [3, 100]: one 400-byte row fits the first buffer's tail (at 256), the other two go to a fresh buffer.
  assert.equal(brief.slice(0, 4), [[0, 0, 0, 0, 10], [1, 0, 256, 0, 1], [1, 1, 0, 1, 2], [2, 2, 0, 0, 64]]);
  // [1000, 4] fills 64-row buffers; [2] shares the last one at the next 256-byte boundary.
  assert.equal(brief.slice(-2), [[2, 17, 0, 960, 40], [3, 17, 768, 0, 2]]);
  assert.equal(bufferBytes.length, 18);
  for (const x of placements) assert.ok(x.offset % 256 === 0 && x.offset + x.bytes <= bufferBytes[x.bufferIndex]!);
  assert.throws(() => planArena([[2, 300]], 1024, 256), /1200-byte rows, more than the binding cap of 1024/);
});
p.run();

if (ctx) releaseAfterSuites(ctx);
if (big) releaseAfterSuites(big);
