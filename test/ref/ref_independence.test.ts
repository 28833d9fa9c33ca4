// src/ref is the plain reference that tests compare production against; production code must never
// import it (or a wrong shared table would pass every GPU-vs-reference test). This scans every .ts file
// under src/ outside src/ref for static and dynamic imports and re-exports that resolve into src/ref.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";

const SRC = resolve(process.cwd(), "src");
const REF = join(SRC, "ref");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** Module specifiers of the file's import/export-from statements (at line starts, so not in comments) and dynamic imports. */
function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

/** "file: specifier" for every import of src/ref by a file outside src/ref. */
function refImports(): string[] {
  const bad: string[] = [];
  for (const file of tsFiles(SRC)) {
    if (file.startsWith(REF + sep)) continue;
    for (const spec of importSpecifiers(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec);
      if (target === REF || target.startsWith(REF + sep)) bad.push(`${relative(process.cwd(), file)}: ${spec}`);
    }
  }
  return bad;
}

const s = suite("src/ref independence");

s("the scanner finds static, multi-line, re-export and dynamic imports but not comments", () => {
  const text = [
    `import { a } from "../ref/rng.ts";`,
    `import {\n  b,\n  c,\n} from "../ref/perturb.ts";`,
    `export { d } from "./ref/rng.ts";`,
    `const m = await import("../ref/zo.ts");`,
    ` * z of src/ref/rng.ts, regenerated on every call (from "../ref/x.ts" in a comment)`,
    `// import { e } from "../ref/y.ts"`,
  ].join("\n");
  assert.equal(importSpecifiers(text), ["../ref/rng.ts", "../ref/perturb.ts", "./ref/rng.ts", "../ref/zo.ts"]);
});

s("no file under src/ outside src/ref imports src/ref", () => {
  assert.ok(tsFiles(SRC).length > 50, "src/ not found: run from the repository root");
  const bad = refImports();
  assert.equal(bad, [], `production code imports the reference:\n  ${bad.join("\n  ")}`);
});

s.run();
