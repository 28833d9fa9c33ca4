/**
 * Doc-comment coverage of entry points from `deno doc --json`: every exported symbol must carry a JSDoc
 * comment on its declaration. Re-exports (`export * from`, `export { x } from`) are followed to the
 * declaration they name, across all the entry points given.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { tool } from "./repo.ts";

interface DocDeclaration {
  readonly location: { readonly filename: string; readonly line: number };
  readonly kind: string;
  readonly jsDoc?: { readonly doc?: string };
  readonly def?: { readonly target?: { readonly filename: string; readonly line: number } };
}
interface DocSymbol {
  readonly name: string;
  readonly declarations: readonly DocDeclaration[];
}
interface DocJson {
  readonly nodes: Readonly<Record<string, { readonly symbols: readonly DocSymbol[] }>>;
}

/** An exported symbol without a doc comment: the entry exporting it, its name, and where it is declared. */
export interface Undocumented {
  readonly entry: string;
  readonly name: string;
  readonly declaredAt: string;
}

const key = (l: { filename: string; line: number }) => `${l.filename}:${l.line}`;

/** Runs `deno doc --json` on `entries` (paths relative to `cwd`) and returns every export lacking a doc comment. */
export function undocumentedExports(entries: readonly string[], cwd: string): { undocumented: Undocumented[]; exported: number } {
  const r = spawnSync(tool("deno"), ["doc", "--json", ...entries], { cwd, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: "1" } });
  if (r.status !== 0) throw new Error(`deno doc --json ${entries.join(" ")} failed (exit ${r.status}):\n${r.stderr}`);
  const json = JSON.parse(r.stdout) as DocJson;
  const documented = new Map<string, boolean>();
  for (const node of Object.values(json.nodes)) {
    for (const s of node.symbols) for (const d of s.declarations) if (d.kind !== "reference") documented.set(key(d.location), (documented.get(key(d.location)) ?? false) || Boolean(d.jsDoc?.doc?.trim()));
  }
  const base = pathToFileURL(cwd).href.replace(/\/?$/, "/");
  const rel = (url: string) => (url.startsWith(base) ? url.slice(base.length) : url);
  const out: Undocumented[] = [];
  let exported = 0;
  for (const [entry, node] of Object.entries(json.nodes)) {
    for (const s of node.symbols) {
      exported++;
      const targets = s.declarations.map((d) => (d.kind === "reference" && d.def?.target !== undefined ? d.def.target : d.location));
      const ok = s.declarations.some((d, i) => (d.kind === "reference" ? documented.get(key(targets[i]!)) === true : Boolean(d.jsDoc?.doc?.trim())));
      if (!ok) out.push({ entry: rel(entry), name: s.name, declaredAt: `${rel(targets[0]!.filename)}:${targets[0]!.line}` });
    }
  }
  return { undocumented: out, exported };
}
