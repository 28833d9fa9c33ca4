// The built bundle (dist/mazo.js, from `npm run build`): CSP-safe (no eval, no new Function, no static
// node: imports), self-contained (WGSL and Wasm inside), importable in Node with the public API (and not
// the low-level one, which dist/kernels.js adds), and typed: dist/mazo.d.ts resolves to dist/types/ so a
// consumer's type errors are caught.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./chromium.ts";

const root = repoRoot();
const bundlePath = join(root, "dist/mazo.js");

const s = suite("dist/mazo.js");

s("exists and its size is printed", () => {
  assert.ok(existsSync(bundlePath), "dist/mazo.js is missing: run `npm run build` first");
  console.log(`  bundle: dist/mazo.js ${statSync(bundlePath).size} bytes`);
});

s("contains no eval and no new Function (runs under an MV3 CSP with only 'wasm-unsafe-eval')", () => {
  const text = readFileSync(bundlePath, "utf8");
  const hits = [/\beval\s*\(/g, /\bnew\s+Function\s*\(/g, /\bFunction\s*\(\s*["'`]/g].flatMap((re) => [...text.matchAll(re)].map((m) => text.slice(Math.max(0, m.index - 40), m.index + 40)));
  assert.equal(hits, [], `found: ${hits.join(" | ")}`);
});

s("has no static node: imports (a browser could not load it) and embeds the WGSL and the Wasm", () => {
  const text = readFileSync(bundlePath, "utf8");
  assert.not.match(text, /^\s*import\s[^;]*from\s*["']node:/m);
  assert.not.match(text, /^\s*import\s*["']node:/m);
  assert.match(text, /@compute @workgroup_size/);
  assert.match(text, /"AGFzbQ/); // base64 of the Wasm magic "\0asm"
});

s("imports in Node and exports the public API, the browser helpers included", async () => {
  const m = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  const fns = [
    "loadModel", "loadTokenizer", "loadAdapter", "applyAdapter", "fineTune", "memorySink", "evaluate", "generate", "generateText", "replay",
    "createGpuContext", "LlamaModel", "ParamStore", "parseLlama2c", "parseTrajectory", "loadTask", "encodeExample", "accuracyByTask",
    "fetchBytes", "urlFolderSource", "goldenForwardCheck", "runRequest", "serveFineTune",
  ];
  const missing = fns.filter((k) => typeof m[k] !== "function");
  assert.equal(missing, []);
  assert.ok(Array.isArray(m.TASK_NAMES) && (m.TASK_NAMES as string[]).includes("sst2"));
  // The low-level building blocks live behind mazo/kernels only.
  const lowLevel = ["perturbArena", "updateArena", "rngAgreement", "zValue", "matmul", "ZoTrainer", "loadMaskEngine", "folderSink"].filter((k) => k in m);
  assert.equal(lowLevel, [], "the main entry should not export these low-level names");
});

s("dist/kernels.js: the main API plus the kernels, arena plans and the z generator; dist/node.js: folderSink", async () => {
  const k = (await import(pathToFileURL(join(root, "dist/kernels.js")).href)) as Record<string, unknown>;
  const fns = ["fineTune", "loadModel", "rngAgreement", "perturbArena", "updateArena", "matmul", "ZoTrainer", "createFullScope", "loadMaskEngine", "zValue", "replaySteps"];
  assert.equal(fns.filter((n) => typeof k[n] !== "function"), []);
  assert.is((k.zValue as (s: number, t: number, i: number) => number)(1, 2, 3), (await import("../../src/ref/rng.ts")).zValue(1, 2, 3));
  const text = readFileSync(join(root, "dist/kernels.js"), "utf8");
  assert.not.match(text, /^\s*import\s[^;]*from\s*["']node:/m);
  const n = (await import(pathToFileURL(join(root, "dist/node.js")).href)) as Record<string, unknown>;
  assert.equal(["folderSink", "writeHfFolder", "openModel", "uploadModel"].filter((f) => typeof n[f] !== "function"), []);
});

s("ships declarations: a consumer type-checks against dist/mazo.js and its type errors are caught", () => {
  assert.ok(existsSync(join(root, "dist/mazo.d.ts")), "dist/mazo.d.ts is missing (build/types.mjs)");
  assert.ok(existsSync(join(root, "dist/types/index.d.ts")), "dist/types/index.d.ts is missing (build/types.mjs)");
  const dir = mkdtempSync(join(tmpdir(), "mazo-types-"));
  try {
    const spec = JSON.stringify(join(root, "dist/mazo.js"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM"], types: [], strict: true, noEmit: true, skipLibCheck: true },
      files: ["good.ts", "bad.ts"],
    }));
    const kspec = JSON.stringify(join(root, "dist/kernels.js"));
    writeFileSync(join(dir, "good.ts"), [
      `import { createGpuContext, fineTune, loadModel, loadTokenizer, LlamaModel, ParamStore, parseLlama2c, type FineTuneResult, type GpuContext } from ${spec};`,
      `import { rngAgreement, type RngAgreement } from ${kspec};`,
      `export async function f(bytes: Uint8Array): Promise<number> {`,
      `  const ctx: GpuContext = await createGpuContext();`,
      `  const model = new LlamaModel(ctx, ParamStore.upload(ctx, parseLlama2c(bytes)));`,
      `  const r: RngAgreement = await rngAgreement(ctx, 1, 2, 0, 16);`,
      `  const res: FineTuneResult = await fineTune({ ctx, model: await loadModel(bytes), tokenizer: await loadTokenizer("tok.bin"), data: { tasks: ["sst2"] }, steps: 1 });`,
      `  return r.mismatches + model.config.dim + res.steps;`,
      `}`,
    ].join("\n"));
    writeFileSync(join(dir, "bad.ts"), `import { parseLlama2c } from ${spec};\nexport const w = parseLlama2c("not bytes");\n`);
    const r = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    const out = `${r.stdout}${r.stderr}`;
    const errors = out.split("\n").filter((l) => /error TS/.test(l));
    assert.ok(errors.length > 0 && errors.every((l) => l.startsWith("bad.ts")), `expected errors in bad.ts only, got:\n${out}`);
    assert.match(out, /bad\.ts\(2,\d+\): error TS2345/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s.run();
