// The high-level loaders of the public API (src/load/): loadModel, loadTokenizer and loadAdapter from a
// path, a file: URL, a fetched URL, bytes or a FileSource give the same model as the low-level parsers,
// folders are searched, and bad input fails naming what was read. applyAdapter merges a PEFT adapter.
import { concatBytes } from "../../src/model/safetensors.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { applyAdapter, loadAdapter, parsePeftAdapter } from "../../src/load/adapter.ts";
import { loadModel } from "../../src/load/model.ts";
import { loadTokenizer } from "../../src/load/tokenizer.ts";
import { initHostLora } from "../../src/lora/lora.ts";
import { encodePeftFolder } from "../../src/lora/peft.ts";
import { parseLlama2c } from "../../src/model/llama2c.ts";
import { writeHfFolder } from "../../src/model/load.ts";
import { Llama2cTokenizer } from "../../src/tokenizer/llama2c.ts";
import { rngFor } from "../harness/random.ts";
import { randomWeights, tinyConfig } from "./hf_fixtures.ts";

const storiesDir = join(dataDir(), "stories260K");
const binPath = join(storiesDir, "stories260K.bin");
const tokPath = join(storiesDir, "tok512.bin");
const tmp = mkdtempSync(join(tmpdir(), "mazo-load-api-"));

/** A fetch serving files of `dir` under http://test/ (with Range and HEAD, like a static server), counting requests. */
function fakeFetch(dir: string, log: string[] = []): (input: string, init?: RequestInit) => Promise<Response> {
  return (input, init) => {
    log.push(`${init?.method ?? "GET"} ${input}`);
    const path = join(dir, decodeURIComponent(new URL(input).pathname));
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = new Uint8Array(readFileSync(path));
    } catch {
      return Promise.resolve(new Response("not found", { status: 404, statusText: "Not Found" }));
    }
    if (init?.method === "HEAD") return Promise.resolve(new Response(null, { status: 200, headers: { "content-length": String(body.length) } }));
    const range = new Headers(init?.headers).get("range");
    if (range !== null) {
      const [a, b] = range.replace("bytes=", "").split("-").map(Number) as [number, number];
      return Promise.resolve(new Response(body.slice(a, b + 1), { status: 206 }));
    }
    return Promise.resolve(new Response(body, { status: 200 }));
  };
}

/** Awaits `fn` and checks that it rejects with an error `check` accepts (a RegExp is tested on the message). */
async function rejects(fn: () => Promise<unknown>, check: RegExp | ((e: unknown) => boolean)): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const ok = check instanceof RegExp ? check.test((e as Error).message) : check(e);
    assert.ok(ok, `unexpected error: ${(e as Error).message}`);
    return;
  }
  assert.unreachable("expected a rejection");
}

const m = suite("loadModel()");

m("a llama2.c path, its file: URL, a fetched URL and its bytes all give parseLlama2c's weights", async () => {
  const want = parseLlama2c(readBytes(binPath));
  const fetchFn = fakeFetch(storiesDir);
  for (const input of [binPath, pathToFileURL(binPath), pathToFileURL(binPath).href, readBytes(binPath)]) {
    const got = await loadModel(input);
    assert.is(got.format, "llama2c");
    assert.equal(got.config, want.config);
    assert.equal(got.weights.tensors.map((t) => t.name), want.tensors.map((t) => t.name));
    assert.ok(got.weights.tensors.every((t, i) => t.data.every((v, j) => v === want.tensors[i]!.data[j])), `weights differ for ${String(input).slice(0, 60)}`);
  }
  const viaUrl = await loadModel("http://test/stories260K.bin", { fetch: fetchFn });
  assert.is(viaUrl.name, "http://test/stories260K.bin");
  assert.equal(viaUrl.weights.tensors[3]!.data, want.tensors[3]!.data);
  assert.is((await loadModel(binPath)).name, binPath);
});

m("a Hugging Face folder: by path, by its config.json, by URL (Range requests) and as a FileSource", async () => {
  const w = randomWeights(tinyConfig(), rngFor("load-api"));
  const dir = join(tmp, "hf");
  writeHfFolder(dir, w);
  const byPath = await loadModel(dir);
  assert.is(byPath.format, "hf");
  assert.is(byPath.config.dim, w.config.dim);
  const byConfig = await loadModel(join(dir, "config.json"));
  assert.is(byConfig.name, dir);
  assert.equal(byConfig.weights.tensors[0]!.data, byPath.weights.tensors[0]!.data);
  const log: string[] = [];
  const byUrl = await loadModel("http://test/", { fetch: fakeFetch(dir, log) });
  assert.equal(byUrl.weights.tensors.map((t) => t.data.length), byPath.weights.tensors.map((t) => t.data.length));
  assert.ok(log.some((l) => l.startsWith("GET http://test/model.safetensors")), `expected reads of model.safetensors: ${log.join(", ")}`);
  const src = { label: "mem", exists: () => Promise.resolve(false), size: () => Promise.resolve(0), read: () => Promise.resolve(new Uint8Array(0)) };
  await rejects(() => loadModel(src), /no config\.json/);
});

m("bad input fails naming it: a missing path, a lone .safetensors file's bytes, a 404", async () => {
  await rejects(() => loadModel(join(tmp, "nope.bin")), (e: unknown) => e instanceof RangeError && e.message.includes(join(tmp, "nope.bin")));
  const st = readFileSync(join(tmp, "hf", "model.safetensors"));
  await rejects(() => loadModel(new Uint8Array(st)), (e: unknown) => e instanceof TypeError && /safetensors file, which holds no config/.test((e as Error).message));
  await rejects(() => loadModel("http://test/missing.bin", { fetch: fakeFetch(storiesDir) }), /http:\/\/test\/missing\.bin: HTTP 404/);
});

const t = suite("loadTokenizer()");

t("a path, a folder (finds tok512.bin), a URL and bytes give the same llama2.c tokenizer", async () => {
  const want = await Llama2cTokenizer.create(readBytes(tokPath));
  const ids = [...want.encode("Once upon a time, a cat sat.", { bos: true })];
  for (const input of [tokPath, storiesDir, pathToFileURL(tokPath), readBytes(tokPath)]) {
    const tok = await loadTokenizer(input);
    assert.equal([...tok.encode("Once upon a time, a cat sat.", { bos: true })], ids, `differs for ${String(input).slice(0, 60)}`);
  }
  const viaUrl = await loadTokenizer("http://test/tok512.bin", { fetch: fakeFetch(storiesDir) });
  assert.is(viaUrl.vocabSize, want.vocabSize);
});

t("tokenizer.json text and objects still load (strings starting with { are JSON, not paths)", async () => {
  const json = { model: { type: "BPE", vocab: { a: 0, b: 1, ab: 2 }, merges: ["a b"] }, added_tokens: [] };
  const a = await loadTokenizer(JSON.stringify(json));
  const b = await loadTokenizer(json);
  assert.equal([...a.encode("ab")], [...b.encode("ab")]);
});

t("a folder without a tokenizer fails listing what it looked for", async () => {
  await rejects(() => loadTokenizer(join(tmp, "hf")), /has no tokenizer\.json, tokenizer\.bin or tok\*\.bin/);
});

const a = suite("loadAdapter() / applyAdapter()");


a("a PEFT folder round-trips through encodePeftFolder, and applyAdapter adds (alpha/r) B A", async () => {
  const w = randomWeights(tinyConfig(), rngFor("load-api-lora"));
  const lora = initHostLora(w.config, { rank: 2, alpha: 4, targets: ["wq", "wv"], seed: 3 });
  lora.b.forEach((b, k) => b.forEach((_, i) => (b[i] = ((i * 7 + k) % 5) / 10 - 0.2)));
  const dir = join(tmp, "adapter");
  const files = encodePeftFolder(w.config, lora, "base");
  const cfgText = new TextDecoder().decode(concatBytes(files.get("adapter_config.json")!));
  const parsed = parsePeftAdapter(cfgText, concatBytes(files.get("adapter_model.safetensors")!), w.config, dir);
  assert.equal(parsed.config.targets, ["wq", "wv"]);
  assert.equal(parsed.b[1], lora.b[1]);
  const src = { label: dir, exists: (n: string) => Promise.resolve(files.has(n)), size: (n: string) => Promise.resolve(concatBytes(files.get(n)!).length), read: (n: string, o: number, l: number) => Promise.resolve(concatBytes(files.get(n)!).slice(o, o + l)) };
  const loaded = await loadAdapter(src, { config: w.config });
  assert.equal(loaded.a[0], lora.a[0]);
  const merged = applyAdapter(w, loaded);
  const e = loaded.entries[0]!;
  const k = w.tensors.findIndex((x) => x.name === e.weight);
  let s = 0;
  for (let q = 0; q < 2; q++) s += loaded.b[0]![q]! * loaded.a[0]![q * e.inDim]!;
  assert.ok(Math.abs(merged.tensors[k]!.data[0]! - (w.tensors[k]!.data[0]! + 2 * s)) < 1e-6);
  assert.is(w.tensors[k]!.data[0], randomWeights(tinyConfig(), rngFor("load-api-lora")).tensors[k]!.data[0], "applyAdapter must not modify the base");
  await rejects(() => loadAdapter(join(tmp, "hf"), w.config), /no adapter_config\.json/);
});

a.after(() => rmSync(tmp, { recursive: true, force: true }));
m.run();
t.run();
a.run();
