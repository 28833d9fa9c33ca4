/** Task data from a folder the user picked (`<input type=file webkitdirectory>`), read without a server. */
import type { ReadText } from "../tasks/read_text.ts";

/** A ReadText over the files of a picked folder: a path matches the file whose path (minus the picked folder's own name) it ends with. */
export function pickedFilesReader(files: readonly { readonly path: string; readonly file: Blob }[]): ReadText {
  const byPath = new Map(files.map((f) => [f.path.split("/").slice(1).join("/"), f.file]));
  return async (path) => {
    const want = path.replace(/^\/+/, "");
    const hit = byPath.get(want) ?? [...byPath.entries()].find(([p]) => want.endsWith(`/${p}`) || p.endsWith(`/${want}`))?.[1];
    if (hit === undefined) throw new Error(`${path}: not among the ${byPath.size} picked files`);
    return await hit.text();
  };
}
