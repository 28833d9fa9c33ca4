/** JSON text from a file or record, parsed with an error that names where it came from. */
import { MazoFormatError } from "./errors.ts";

/** `JSON.parse(text)`, or a MazoFormatError naming `label` (a path) and the parser's complaint. */
export function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MazoFormatError(label, "JSON", `not valid JSON (${(e as Error).message})`);
  }
}
