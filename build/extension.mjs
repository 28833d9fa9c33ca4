// Fills examples/extension/vendor/ (gitignored) with what the Manifest V3 extension loads from its own
// files: the bundle (dist/mazo.js) and the stories260K checkpoint, tokenizer and golden.json from the
// shared data directory (MAZO_DATA, else <repo>/../shared/data). Prints what it copied and the sizes.
// Without the data it copies the bundle only and says so (the extension test then skips).
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const vendor = join(root, "examples/extension/vendor");
const bundle = join(root, "dist/mazo.js");
if (!existsSync(bundle)) {
  console.error("extension: dist/mazo.js is missing; run build/bundle.mjs first");
  process.exit(1);
}
mkdirSync(vendor, { recursive: true });
const copies = [[bundle, "mazo.js"]];
const data = resolve(process.env.MAZO_DATA || join(root, "../shared/data"), "stories260K");
const modelFiles = ["stories260K.bin", "tok512.bin", "golden.json"];
if (modelFiles.every((f) => existsSync(join(data, f)))) for (const f of modelFiles) copies.push([join(data, f), f]);
else console.log(`extension: no stories260K in ${data}; the extension gets the bundle only`);
let bytes = 0;
for (const [from, to] of copies) {
  copyFileSync(from, join(vendor, to));
  bytes += statSync(from).size;
}
console.log(`extension: ${copies.map(([, t]) => t).join(", ")} -> examples/extension/vendor/ (${bytes} bytes)`);
