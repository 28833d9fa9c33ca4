// esbuild: the browser/worker bundle (dist/mazo.js, ESM, platform-neutral) and Node builds of the CLI
// and of every test file (.build/node/...), which Node 20 cannot run from TypeScript directly.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function walk(dir, pred) {
  const out = [];
  try { statSync(dir); } catch { return out; }
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const strict = args.includes("--strict");
const filters = args.filter((a) => !a.startsWith("--"));
const pick = (p) => filters.length === 0 || filters.some((f) => p.includes(f));
let failed = 0;

// Test files and benchmarks for Node, one esbuild call each so one broken file does not block the rest.
const nodeEntries = [
  ...walk(join(root, "test"), (p) => p.endsWith(".test.ts")).map((p) => [p, "test"]),
  ...walk(join(root, "bench"), (p) => p.endsWith(".ts")).map((p) => [p, "bench"]),
].filter(([p]) => pick(relative(root, p)));
for (const [entry, base] of nodeEntries) {
  try {
    await build({
      entryPoints: [entry],
      outfile: join(root, ".build/node", base, relative(join(root, base), entry).replace(/\.ts$/, ".mjs")),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      logLevel: "error",
    });
  } catch {
    failed++;
    console.error(`bundle: ${relative(root, entry)} failed`);
  }
}
console.log(`bundle: ${nodeEntries.length - failed} of ${nodeEntries.length} test/bench files -> .build/node/`);

// The published entry points (package.json "exports"): "." and "./kernels" are platform-neutral and
// self-contained (browser, worker, extension, Deno, Node); "./node" is the node:fs part for Deno/Node.
const entries = [
  ["src/index.ts", "dist/mazo.js", "neutral"],
  ["src/kernels.ts", "dist/kernels.js", "neutral"],
  ["src/node.ts", "dist/node.js", "node"],
  ["src/cli/main.ts", ".build/node/cli.mjs", "node"],
];
for (const [entry, outfile, platform] of entries) {
  try { statSync(join(root, entry)); } catch { continue; }
  let r;
  try {
    r = await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    platform,
    format: "esm",
    target: "es2022",
    // "stream": papaparse requires it lazily, only for Node stream input, which mazo never uses
    external: ["webgpu", "node:*", "stream"],
    packages: platform === "node" ? "external" : undefined,
    // neutral resolves no package.json "main" by default; CommonJS-only packages (papaparse) need it
    mainFields: platform === "node" ? undefined : ["module", "main"],
    metafile: true,
    logLevel: "warning",
  });
  } catch {
    failed++;
    console.error(`bundle: ${entry} failed`);
    continue;
  }
  const bytes = Object.values(r.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
  console.log(`bundle: ${entry} -> ${outfile} (${bytes} bytes)`);
}
if (failed > 0 && strict) process.exit(1);
