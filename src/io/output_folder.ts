/**
 * Making sure a run folder may be written before anything is computed: a run never writes into a
 * non-empty folder unless asked to resume it or to overwrite it, the path is a folder (not a file), and
 * it can be created and written. Folders are created one component at a time (Node's recursive mkdir
 * loops forever under /proc), and every failure is a MazoFileError naming the path.
 */
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MazoFileError } from "./errors.ts";

/** What to do with a folder that already holds files: refuse (default), continue it, or replace its run files. */
export type ExistingFolder = "refuse" | "resume" | "overwrite";

/** The files and folders a run writes (src/train/sink.ts); --overwrite removes exactly these. */
export const RUN_ENTRIES: readonly string[] = [
  "config.json", "metrics.jsonl", "trajectory.jsonl", "checkpoint.json", "masks.json", "eval.json", "loss.svg",
  "model", "adapter", "merged", "checkpoint",
];

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

/** Temporary files of writes a killed run left behind (writeFileAtomic's ".<name>.tmp-<id>"). */
const STALE_TEMP = /^\..+\.tmp-[0-9a-z]+-[0-9a-z]+$/;

/** Removes the stale temporaries of `dir` and of its model/, adapter/ and merged/ folders. */
function removeStaleTemps(dir: string): void {
  for (const sub of ["", "model", "adapter", "merged"]) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names) if (STALE_TEMP.test(n)) rmSync(join(dir, sub, n), { force: true });
  }
}

/** Creates folder `dir` and its missing parents, one level at a time, with errors that name the path. */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch (e) {
      if (codeOf(e) !== "ENOENT" && codeOf(e) !== "ENOTDIR") throw new MazoFileError(at, `cannot be inspected (${(e as Error).message})`, codeOf(e));
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw new MazoFileError(at, `exists and is not a folder; expected a folder to create ${dir} in`);
      break;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if (codeOf(e) === "EEXIST" && statSync(d).isDirectory()) continue;
      throw new MazoFileError(d, `cannot create this folder (${codeOf(e) ?? (e as Error).message})`, codeOf(e));
    }
  }
}

/**
 * Checks (and creates) run folder `dir` for writing under policy `existing`, before any GPU work:
 * - the path must be a folder or not exist;
 * - "refuse": an existing non-empty folder is an error that says how to continue or replace it;
 * - "resume": the folder must hold a run (config.json);
 * - "overwrite": the run files of RUN_ENTRIES are removed, other files are left alone.
 * Ends by checking the folder is writable.
 */
export function prepareOutputFolder(dir: string, existing: ExistingFolder = "refuse"): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if (codeOf(e) !== "ENOENT") throw new MazoFileError(dir, `cannot be inspected (${(e as Error).message})`, codeOf(e));
  }
  if (st !== undefined && !st.isDirectory()) throw new MazoFileError(dir, "exists and is not a folder; expected a folder (or a new path) for the run's files");
  if (existing === "resume") {
    if (st === undefined) throw new MazoFileError(dir, "no such run folder to resume");
    try {
      statSync(join(dir, "config.json"));
    } catch {
      throw new MazoFileError(dir, "has no config.json; expected a mazo run folder to resume");
    }
    removeStaleTemps(dir);
  } else if (st !== undefined) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && existing === "refuse") {
      const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? `, ... (${entries.length} entries)` : "");
      throw new MazoFileError(dir, `is not empty (${shown}); a run never writes into a used folder: pass --resume ${dir} to continue its run, --overwrite to replace its run files, or another --out`);
    }
    if (existing === "overwrite") for (const name of entries) if (RUN_ENTRIES.includes(name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
  makeFolder(dir);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new MazoFileError(dir, `is not writable (${codeOf(e) ?? (e as Error).message})`, codeOf(e));
  }
}
