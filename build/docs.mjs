// The API reference: `deno doc --html` over the published entry points (src/index.ts = mazo,
// src/kernels.ts = mazo/kernels, src/node.ts = mazo/node), from their doc comments, into dist/api/
// (open dist/api/index.html). Deno comes from node_modules (the deno npm package); no other dependency.
// Prints the page count and size. Usage: node build/docs.mjs [--out <dir>]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const outArg = args.indexOf("--out");
const out = outArg >= 0 ? args[outArg + 1] : join(root, "dist/api");
const entries = ["src/index.ts", "src/kernels.ts", "src/node.ts"];
if (!existsSync(join(root, "src/gen/shaders.ts"))) {
  console.error("docs: src/gen/shaders.ts is missing; run node build/gen-shaders.mjs and build/asc.mjs (or npm run build) first");
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
const r = spawnSync(join(root, "node_modules/.bin/deno"), ["doc", "--html", "--name=mazo", `--output=${out}`, ...entries], { cwd: root, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
if (r.status !== 0) {
  console.error(r.stderr);
  console.error(`docs: deno doc --html failed (exit ${r.status})`);
  process.exit(1);
}
let pages = 0, bytes = 0;
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else (p.endsWith(".html") && pages++, (bytes += statSync(p).size));
  }
};
walk(out);
console.log(`docs: ${entries.join(", ")} -> ${out} (${pages} pages, ${bytes} bytes)`);
