/**
 * A RunSink over a folder on Deno and Node (node:fs): files are written atomically (temp file + rename,
 * src/io/files.ts), lines appended with one write each, so a run killed at any moment leaves complete
 * files and at worst a torn last line (which resume drops).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RunSink } from "../train/sink.ts";
import { writeError, writeFileAtomic } from "./files.ts";
import { type ExistingFolder, prepareOutputFolder } from "./output_folder.ts";

/**
 * A RunSink writing into folder `dir`, checked and created now (before any GPU work): a folder that
 * already holds files is refused unless `existing` is "resume" (continue that run) or "overwrite"
 * (replace its run files); see src/io/output_folder.ts.
 */
export function folderSink(dir: string, existing: ExistingFolder = "refuse"): RunSink {
  prepareOutputFolder(dir, existing);
  const at = (name: string) => join(dir, ...name.split("/"));
  return {
    label: dir,
    path: at,
    write(name, parts) {
      writeFileAtomic(at(name), parts);
      return Promise.resolve();
    },
    append(name, text) {
      try {
        mkdirSync(dirname(at(name)), { recursive: true });
        appendFileSync(at(name), text, { mode: 0o644 });
      } catch (e) {
        throw writeError(at(name), e);
      }
      return Promise.resolve();
    },
    readText(name) {
      return Promise.resolve(existsSync(at(name)) ? readFileSync(at(name), "utf8") : undefined);
    },
  };
}
