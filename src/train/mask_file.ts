/**
 * masks.json in a run folder: the fixed MaZO (or baseline) mask of every trained tensor, so a resumed
 * run and `mazo replay` use exactly the mask the run trained with. Index lists are stored as base64 of
 * their little-endian u32 words.
 */
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

/** Parses the text of masks.json (`path` names it in errors), checking every list's count and range. */
export function parseMaskFile(text: string, path = "masks.json"): MaskFile {
  let json: { method: string; keep: number; trainable: number; total: number; tensors: Record<string, { rows: number; cols: number; count: number; indices: string }> };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: cannot read the run's masks (${(e as Error).message})`);
  }
  const masks = new Map<string, Mask>();
  for (const [name, t] of Object.entries(json.tensors)) {
    const indices = fromBase64(t.indices);
    if (indices.length !== t.count) throw new RangeError(`${path}: mask of ${name} has ${indices.length} indices, its count says ${t.count}`);
    masks.set(name, new Mask(t.rows, t.cols, indices));
  }
  return { method: json.method, keep: json.keep, trainable: json.trainable, total: json.total, masks };
}
