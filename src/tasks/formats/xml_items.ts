/**
 * Item-per-element XML (the original COPA release): every `<item ...>...</item>` element becomes a record
 * whose fields are the item's attributes and the trimmed text of its child elements (`<p>`, `<a1>`, ...),
 * with the five predefined XML entities unescaped. Not a general XML parser: no nesting below the
 * children, no CDATA; what COPA-style files need.
 */
import { excerpt } from "../errors.ts";
import type { BadRow, DataRow, FieldValue, ParsedFile } from "./row.ts";

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (m) => ENTITIES[m] ?? m);
}

/** Parses the `<item>` elements of `text`. */
export function parseXmlItems(text: string, element = "item"): ParsedFile {
  const rows: DataRow[] = [];
  const bad: BadRow[] = [];
  const itemRe = new RegExp(`<${element}\\b([^>]*)>([\\s\\S]*?)</${element}>`, "g");
  let line = 1;
  let at = 0;
  for (let m = itemRe.exec(text); m !== null; m = itemRe.exec(text)) {
    for (; at < m.index; at++) if (text.charCodeAt(at) === 10) line++;
    const fields: Record<string, FieldValue> = {};
    for (const a of m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)) fields[a[1]!] = unescapeXml(a[2]!);
    for (const c of m[2]!.matchAll(/<([\w-]+)\b[^>]*>([\s\S]*?)<\/\1>/g)) fields[c[1]!] = unescapeXml(c[2]!.trim());
    const index = rows.length + bad.length;
    if (Object.keys(fields).length === 0) bad.push({ index, where: `line ${line}`, message: `expected attributes or child elements in <${element}>, got ${excerpt(m[0])}` });
    else rows.push({ index, where: `line ${line}`, fields });
  }
  return { rows, bad };
}
