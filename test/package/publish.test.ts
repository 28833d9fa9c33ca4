// The package is publishable both ways: `npm pack --dry-run` ships the bundles, their declarations and
// the CLI, and nothing else (no sources, tests, runs or node_modules); `deno publish --dry-run` (JSR)
// passes, slow-type check included, and ships the TypeScript sources with the generated shaders and Wasm.
// Run after the build (dist/ and src/gen/ must exist).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { onDeno, repoRoot, tool } from "./repo.ts";

const root = repoRoot();
const s = suite("publishing");

interface PackFile {
  readonly path: string;
  readonly size: number;
}

if (onDeno()) {
  console.log("SKIP publishing on deno: npm pack and deno publish are run once, from the Node test run");
} else if (!existsSync(join(root, "dist/mazo.js")) || !existsSync(join(root, "src/gen/shaders.ts"))) {
  throw new Error("dist/mazo.js or src/gen/shaders.ts is missing: run `npm run build` first");
} else {
  s("npm pack --dry-run: the bundles, their types, the CLI and README; no sources, tests, runs or node_modules", () => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
    assert.is(r.status, 0, `npm pack failed:\n${r.stderr}`);
    const [pack] = JSON.parse(r.stdout) as [{ name: string; files: PackFile[]; size: number }];
    const paths = pack.files.map((f) => f.path);
    console.log(`  ${pack.name}: ${paths.length} files, ${pack.size} bytes packed`);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    // Every file the exports map, main, types and bin name is in the package.
    const named: string[] = [pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>)];
    for (const v of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) named.push(...(typeof v === "string" ? [v] : Object.values(v)));
    const norm = (p: string) => p.replace(/^\.\//, "");
    assert.equal(named.map(norm).filter((p) => !paths.includes(p)), [], "files named by package.json but not packed");
    for (const p of ["dist/mazo.js", "dist/kernels.js", "dist/node.js", "dist/types/index.d.ts", "dist/types/kernels.d.ts", "bin/mazo.mjs", ".build/node/cli.mjs", "README.md", "package.json"]) {
      assert.ok(paths.includes(p), `${p} is not in the package`);
    }
    const bad = paths.filter((p) => /^(src|test|runs|node_modules|bench|assembly|shaders|examples|build)\//.test(p) || /^\.build\/node\/(test|bench)\//.test(p) || p.endsWith(".test.mjs"));
    assert.equal(bad, [], "files that should not be published");
    // The CLI's external imports resolve from the package's own dependencies.
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    for (const d of ["papaparse", "hyparquet", "webgpu"]) assert.ok(d in deps, `${d} must be a (optional) dependency: the CLI imports it at run time`);
  });

  s("the exports map resolves by package name: types under nodenext for mazo, mazo/kernels, mazo/node; imports at run time", () => {
    const dir = mkdtempSync(join(tmpdir(), "mazo-consumer-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(root, join(dir, "node_modules", "mazo"), "dir");
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", lib: ["ES2023", "DOM"], types: [], strict: true, noEmit: true }, files: ["good.ts", "bad.ts"] }));
      writeFileSync(join(dir, "good.ts"), [
        `import { fineTune, loadModel, memorySink, type FineTuneResult } from "mazo";`,
        `import { rngAgreement, zValue } from "mazo/kernels";`,
        `import { folderSink } from "mazo/node";`,
        `export async function f(): Promise<FineTuneResult | number> {`,
        `  const m = await loadModel("x.bin");`,
        `  return typeof fineTune === "function" && typeof rngAgreement === "function" && folderSink("x").label === "x" ? m.config.dim + zValue(1, 2, 3) + memorySink().files.size : 0;`,
        `}`,
      ].join("\n"));
      writeFileSync(join(dir, "bad.ts"), `import { zValue } from "mazo";\nexport const z = zValue;\n`);
      const r = spawnSync(tool("tsc"), ["-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
      const errors = `${r.stdout}${r.stderr}`.split("\n").filter((l) => /error TS/.test(l));
      assert.ok(errors.length > 0 && errors.every((l) => l.startsWith("bad.ts")), `expected errors in bad.ts only (zValue is mazo/kernels only), got:\n${errors.join("\n")}`);
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", `const [a, k, n] = await Promise.all([import("mazo"), import("mazo/kernels"), import("mazo/node")]); console.log(typeof a.fineTune, typeof k.perturbArena, typeof n.folderSink, "zValue" in a);`], { cwd: dir, encoding: "utf8" });
      assert.is(run.stdout.trim(), "function function function false", `node import by package name:\n${run.stdout}${run.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  s("deno publish --dry-run (JSR) passes without --allow-slow-types and ships src/gen and the built-in tasks", () => {
    const r = spawnSync(tool("deno"), ["publish", "--dry-run", "--allow-dirty"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: "1" } });
    const out = `${r.stdout}${r.stderr}`;
    assert.is(r.status, 0, `deno publish --dry-run failed:\n${out.split("\n").filter((l) => !/^\s+file:/.test(l)).join("\n")}`);
    const files = [...out.matchAll(/file:\/\/\S+/g)].map((m) => m[0].slice(`file://${root}/`.length));
    console.log(`  ${files.length} files in the JSR package`);
    for (const f of ["src/index.ts", "src/kernels.ts", "src/node.ts", "src/gen/shaders.ts", "src/gen/wasm.ts", "src/tasks/builtin/sst2.json", "README.md"]) {
      assert.ok(files.includes(f), `${f} is not in the JSR package`);
    }
    assert.equal(files.filter((f) => /^(test|dist|node_modules|runs|src\/cli)\//.test(f)), [], "files that should not be published to JSR");
    const deno = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    assert.is(deno.version, pkg.version, "deno.json and package.json versions differ");
  });
}

s.run();
