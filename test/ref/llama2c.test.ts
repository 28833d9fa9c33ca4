// The llama2.c v0 loader: header, exact size check, tensor order, shared and unshared classifiers.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { canonicalTensors } from "../../src/model/canonical.ts";
import { encodeLlama2c, parseLlama2c, parseLlama2cHeader } from "../../src/model/llama2c.ts";
import { loadModel } from "../../src/model/load.ts";
import { checkHostWeights, paramCount } from "../../src/model/weights.ts";
import { rngFor } from "../harness/random.ts";
import { randomWeights, tinyConfig } from "./hf_fixtures.ts";

const dir = join(dataDir(), "stories260K");
const bin = join(dir, "stories260K.bin");
const bytes = readBytes(bin);
const golden = JSON.parse(new TextDecoder().decode(readBytes(join(dir, "golden.json")))) as { config: Record<string, number | boolean> };

const s = suite("parseLlama2c()");

s("reads stories260K with golden.json's config", () => {
  const w = checkHostWeights(parseLlama2c(bytes));
  const g = golden.config;
  const c = w.config;
  assert.equal(
    [c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, c.vocabSize, c.maxSeqLen, c.tiedEmbeddings, c.ropeTheta, c.normEps, c.bosId, c.eosId],
    [g.dim, g.hidden_dim, g.n_layers, g.n_heads, g.n_kv_heads, g.vocab_size, g.seq_len, g.shared_classifier, g.rope_theta, g.rmsnorm_eps, g.bos_id, g.eos_id],
  );
  assert.is(c.headDim, 8);
  assert.is(c.ropeLayout, "adjacent");
  assert.is(paramCount(w), 260032);
  assert.equal(w.tensors.map((t) => t.name), canonicalTensors(c).map((t) => t.name));
});

s("tensors come from the right file offsets (embedding first, wk of layer 1 after wq of all layers)", () => {
  const w = parseLlama2c(bytes);
  const f = (i: number): number => new DataView(bytes.buffer, bytes.byteOffset).getFloat32(28 + 4 * i, true);
  const emb = w.tensors[0]!.data;
  assert.is(emb[0], f(0));
  assert.is(emb[emb.length - 1], f(512 * 64 - 1));
  // token_embedding (512*64), rms_att (5*64), wq (5*64*64), then wk stacked: layer 1 starts 32*64 in.
  const wk1 = w.tensors.find((t) => t.name === "layers.1.wk")!.data;
  assert.is(wk1[0], f(512 * 64 + 5 * 64 + 5 * 64 * 64 + 32 * 64));
  const norm = w.tensors.find((t) => t.name === "norm")!.data;
  const normAt = 512 * 64 + 5 * (64 + 4096 + 2048 + 2048 + 4096 + 64 + 3 * 172 * 64);
  assert.is(norm[63], f(normAt + 63));
});

s("rejects a truncated or padded file, saying which size was expected", () => {
  assert.throws(() => parseLlama2c(bytes.subarray(0, bytes.byteLength - 4)), /1056536 bytes, but the header .* implies 1056540/);
  const padded = new Uint8Array(bytes.byteLength + 1);
  padded.set(bytes);
  assert.throws(() => parseLlama2c(padded), /implies 1056540/);
  assert.throws(() => parseLlama2c(bytes.subarray(0, 10)), /shorter than the 28-byte header/);
});

s("rejects implausible headers and versioned exports", () => {
  const bad = bytes.slice(0, 28);
  new DataView(bad.buffer).setInt32(0, -5, true);
  assert.throws(() => parseLlama2c(bad), /header dim = -5/);
  const v1 = bytes.slice(0, 28);
  new DataView(v1.buffer).setUint32(0, 0x616b3432, true);
  assert.throws(() => parseLlama2c(v1), /versioned export/);
  const heads = bytes.slice(0, 28);
  new DataView(heads.buffer).setInt32(12, 7, true);
  assert.throws(() => parseLlama2c(heads), /not a multiple of n_heads 7/);
});

s("an unshared classifier (negative vocab) loads as a separate output tensor", () => {
  const c = tinyConfig({ ropeLayout: "adjacent", tiedEmbeddings: false });
  const w = randomWeights(c, rngFor("llama2c unshared"));
  const enc = encodeLlama2c(w);
  assert.is(new DataView(enc.buffer).getInt32(20, true), -c.vocabSize);
  const back = parseLlama2c(enc);
  assert.is(back.config.tiedEmbeddings, false);
  assert.equal(back.tensors.map((t) => t.name), w.tensors.map((t) => t.name));
  back.tensors.forEach((t, i) => assert.equal(Array.from(t.data), Array.from(w.tensors[i]!.data), t.name));
});

s("encodeLlama2c(parseLlama2c(stories260K)) reproduces the file byte for byte", () => {
  const enc = encodeLlama2c(parseLlama2c(bytes));
  assert.is(enc.byteLength, bytes.byteLength);
  let diff = 0;
  for (let i = 0; i < enc.length; i++) if (enc[i] !== bytes[i]) diff++;
  // The RoPE tables are recomputed (cos/sin in f64 then rounded); allow a few last-bit differences there only.
  const tablesAt = 28 + 4 * (260032);
  for (let i = 0; i < tablesAt; i++) if (enc[i] !== bytes[i]) assert.unreachable(`byte ${i} differs in the weights`);
  assert.ok(diff < 512 * 8 * 4, `${diff} bytes differ`);
});

s("loadModel() detects a llama2.c file and finds tok512.bin next to it", async () => {
  const m = await loadModel(bin);
  assert.is(m.format, "llama2c");
  assert.is(m.tokenizerPath, join(dir, "tok512.bin"));
  assert.is(m.weights.config.dim, 64);
});

s("loadModel() checks a truncated file's size from the header before reading it", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "mazo-l2c-"));
  try {
    const cut = join(tmp, "cut.bin");
    writeFileSync(cut, bytes.subarray(0, 1000));
    try {
      await loadModel(cut);
      assert.unreachable("must throw");
    } catch (e) {
      assert.match((e as Error).message, /cut.bin: 1000 bytes, but its llama2.c header implies 1056540/);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

s("the header's implied size equals the sum over the tensor list, shared and unshared, with and without GQA", () => {
  for (const [shared, kvDiv] of [[true, 1], [false, 2], [true, 4]] as const) {
    const c = { ...tinyConfig(), ropeLayout: "adjacent" as const, attnBias: false, tiedEmbeddings: shared };
    const c2 = { ...c, nKvHeads: Math.max(1, c.nHeads / kvDiv) };
    const head = new Uint8Array(28);
    const dv = new DataView(head.buffer);
    [c2.dim, c2.hiddenDim, c2.nLayers, c2.nHeads, c2.nKvHeads, shared ? c2.vocabSize : -c2.vocabSize, c2.maxSeqLen].forEach((v, i) => dv.setInt32(4 * i, v, true));
    const h = parseLlama2cHeader(head);
    let floats = 0;
    for (const t of canonicalTensors(h.config)) floats += t.shape.reduce((a, b) => a * b, 1);
    floats += c2.maxSeqLen * h.config.headDim;
    assert.is(h.expectedBytes, 28 + 4 * floats, `shared ${shared}, kv heads ${c2.nKvHeads}`);
  }
});

s("a header claiming 2^24 layers is refused at once by the config limits, without listing tensors", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "mazo-l2c-"));
  try {
    const big = new Uint8Array(1 << 20);
    big.set(bytes.subarray(0, 28));
    new DataView(big.buffer).setInt32(8, 1 << 24, true); // n_layers
    const path = join(tmp, "layers.bin");
    writeFileSync(path, big);
    const t0 = performance.now();
    try {
      await loadModel(path);
      assert.unreachable("must throw");
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match((e as Error).message, /llama2.c checkpoint: header: nLayers = 16777216 is beyond any real model \(at most 4096\)/);
    }
    // Not a speed assertion: listing 2^24 layers' tensors takes minutes and then runs out of heap; the
    // checks before it take microseconds. 10 s separates the two on any machine.
    assert.ok(performance.now() - t0 < 10_000, "the size check must not enumerate the layers");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

s.run();
