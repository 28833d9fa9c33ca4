/**
 * masks.json in a run folder: the fixed MaZO (or baseline) mask of every trained tensor, so a resumed
 * run and `mazo replay` use exactly the mask the run trained with. Index lists are stored as base64 of
 * their little-endian u32 words.
 */
import { fieldChecks } from "../io/json_fields.ts";
import { parseJsonText } from "../io/json.ts";
import { Mask } from "../mask/mask.ts";

/** The contents of masks.json: the method, the kept fraction, trainable/total counts and every tensor's fixed mask by name. */
export interface MaskFile {
  readonly method: string;
  readonly keep: number;
  readonly trainable: number;
  readonly total: number;
  readonly masks: ReadonlyMap<string, Mask>;
}

function toBase64(words: Uint32Array): string {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint32Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  if (bytes.length % 4 !== 0) throw new RangeError(`masks.json: an index list has ${bytes.length} bytes, not a multiple of 4`);
  return new Uint32Array(bytes.buffer);
}

/** The text of masks.json for `m`. */
export function encodeMaskFile(m: MaskFile): string {
  const tensors: Record<string, unknown> = {};
  for (const [name, mask] of m.masks) tensors[name] = { rows: mask.rows, cols: mask.cols, count: mask.count, indices: toBase64(mask.indices) };
  const json = { method: m.method, keep: m.keep, trainable: m.trainable, total: m.total, tensors };
  return JSON.stringify(json) + "\n";
}

/** Parses the text of masks.json (`path` names it in errors), checking every field, list count and range. */
export function parseMaskFile(text: string, path = "masks.json"): MaskFile {
  const json = parseJsonText(text, path);
  const { fail, isObj, count } = fieldChecks(path);
  if (!isObj(json)) return fail("(top)", json, "a JSON object");
  if (typeof json.method !== "string") fail("method", json.method, "a method name");
  if (typeof json.keep !== "number" || !(json.keep > 0 && json.keep <= 1)) fail("keep", json.keep, "a fraction in (0, 1]");
  const trainable = count(json.trainable, "trainable", Number.MAX_SAFE_INTEGER), total = count(json.total, "total", Number.MAX_SAFE_INTEGER);
  if (trainable > total) fail("trainable", trainable, `at most total (${total})`);
  if (!isObj(json.tensors)) return fail("tensors", json.tensors, "an object of tensor masks");
  const masks = new Map<string, Mask>();
  for (const [name, t] of Object.entries(json.tensors)) {
    const f = `tensors.${name}`;
    if (!isObj(t)) return fail(f, t, "{rows, cols, count, indices}");
    const rows = count(t.rows, `${f}.rows`, 1 << 24), cols = count(t.cols, `${f}.cols`, 1 << 24);
    const n = count(t.count, `${f}.count`, rows * cols);
    if (typeof t.indices !== "string") return fail(`${f}.indices`, t.indices, "base64 of little-endian u32 indices");
    let indices: Uint32Array;
    try {
      indices = fromBase64(t.indices);
    } catch (e) {
      return fail(`${f}.indices`, `${t.indices.slice(0, 40)}...`, `base64 of little-endian u32 indices (${(e as Error).message})`);
    }
    if (indices.length !== n) fail(`${f}.count`, n, `the number of indices, ${indices.length}`);
    try {
      masks.set(name, new Mask(rows, cols, indices));
    } catch (e) {
      fail(`${f}.indices`, `${indices.length} indices`, `a strictly ascending list below rows*cols (${(e as Error).message})`);
    }
  }
  return { method: json.method as string, keep: json.keep as number, trainable, total, masks };
}
