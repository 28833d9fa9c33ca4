// The fetch-based file access of src/browser/ (what pages, workers and extensions read files with),
// run in Node against the tests' 127.0.0.1 server: whole files, byte ranges, errors naming the URL,
// picked-folder task reading; and the server's refusal of paths outside its roots.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fetchBytes, fetchReadText, urlFolderSource } from "../../src/browser/fetch_source.ts";
import { pickedFilesReader } from "../../src/browser/picked_files.ts";
import { loadTask } from "../../src/tasks/load.ts";
import { repoRoot, sharedDataDir } from "./chromium.ts";
import { resolvePath, startServer } from "./server.ts";

const root = repoRoot();
const dataDir = sharedDataDir();
const server = await startServer(root, dataDir);
const base = `${server.origin}/data/stories260K`;
const model = readFileSync(join(dataDir, "stories260K/stories260K.bin"));

const s = suite("fetch file access");
s.after(() => server.close());

s("fetchBytes() returns the whole file", async () => {
  const got = await fetchBytes(`${base}/tok512.bin`);
  assert.equal(got, new Uint8Array(readFileSync(join(dataDir, "stories260K/tok512.bin"))));
});

s("fetchBytes() of a missing file throws naming the URL and the status", async () => {
  try {
    await fetchBytes(`${base}/missing.bin`);
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, new RegExp(`fetch ${base}/missing.bin: HTTP 404`));
  }
});

s("urlFolderSource() reports existence and size and reads byte ranges (odd offsets, 1 byte, the end)", async () => {
  const src = urlFolderSource(`${base}/`);
  assert.ok(await src.exists("stories260K.bin"));
  assert.not.ok(await src.exists("nope.json"));
  assert.is(await src.size("stories260K.bin"), model.length);
  for (const [off, len] of [[0, 28], [7, 1], [1001, 4099], [model.length - 13, 13]] as const) {
    assert.equal(await src.read("stories260K.bin", off, len), new Uint8Array(model.subarray(off, off + len)), `range ${off}+${len}`);
  }
  assert.is((await src.read("stories260K.bin", 5, 0)).length, 0);
});

s("loadTask() over URLs with fetchReadText() equals loading from the directory", async () => {
  const opts = { seed: 3, sizes: { train: 5, dev: 2, test: 4 } };
  const viaUrl = await loadTask("sst2", { ...opts, dataDir: `${server.origin}/data`, read: fetchReadText() });
  const viaFs = await loadTask("sst2", { ...opts, dataDir });
  assert.equal(viaUrl, viaFs);
});

s("pickedFilesReader() finds files of a picked folder by their path below it", async () => {
  const read = pickedFilesReader([
    { path: "data/sst2/stsa.binary.train", file: new Blob(["1 good\n"]) },
    { path: "data/trec/train.txt", file: new Blob(["DESC:manner How ?\n"]) },
  ]);
  assert.is(await read("/sst2/stsa.binary.train"), "1 good\n");
  assert.is(await read("trec/train.txt"), "DESC:manner How ?\n");
  try {
    await read("/copa/copa-dev.xml");
    assert.unreachable("should have thrown");
  } catch (e) {
    assert.match((e as Error).message, /copa-dev\.xml: not among the 2 picked files/);
  }
});

s("the test server maps /data/ to the data directory and refuses paths outside its roots", () => {
  assert.is(resolvePath("/data/sst2/x", "/r", "/d"), "/d/sst2/x");
  assert.is(resolvePath("/dist/mazo.js?v=1", "/r", "/d"), "/r/dist/mazo.js");
  assert.is(resolvePath("/../etc/passwd", "/r", "/d"), null);
  assert.is(resolvePath("/data/../../etc/passwd", "/r", "/d"), null);
  assert.is(resolvePath("/%2e%2e/etc/passwd", "/r", "/d"), null);
});

s.run();
