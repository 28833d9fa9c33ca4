/**
 * safetensors reading and writing, from bytes (browser-friendly; file helpers live in src/io/files.ts).
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__"?: {string: string}}, then the data section; offsets are relative to it.
 * Everything in the header is validated against the file size and each other before any tensor is
 * allocated: every tensor's byte range must match its dtype and shape, and the ranges must tile the data
 * section exactly (no overlap, no gap, nothing after the last). F16 and BF16 are widened to f32 exactly.
 */
import { halfToF32 } from "./half.ts";
import type { HostTensor } from "./weights.ts";

export type SafetensorsDtype = "F32" | "F16" | "BF16";

const ITEM_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** Same bound as the reference implementation, against absurd allocations. */
const MAX_HEADER_BYTES = 100_000_000;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("safetensors: mazo needs a little-endian platform");

/** One tensor of a safetensors file; begin/end are absolute byte offsets in the file. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** In file order (by begin offset). */
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Byte offset of the data section (8 + N). */
  readonly dataStart: number;
  readonly fileBytes: number;
}

/** 8 + N: how many leading bytes of the file `parseSafetensorsHeader` needs, read from the first 8. */
export function safetensorsPrefixBytes(first8: Uint8Array, fileBytes: number, source = "safetensors"): number {
  if (fileBytes < 8 || first8.byteLength < 8) throw new RangeError(`${source}: ${fileBytes} bytes, too short for the 8-byte header length`);
  const dv = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER_BYTES) throw new RangeError(`${source}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + n > fileBytes) throw new RangeError(`${source}: header length ${n} runs past the end of the ${fileBytes}-byte file`);
  if (n < 2) throw new RangeError(`${source}: header length ${n} is too short for a JSON object`);
  return 8 + n;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses and validates the header. `prefix` holds at least the file's first 8 + N bytes; `fileBytes` is
 * the size of the whole file. Errors name the tensor and what was wrong.
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileBytes: number, source = "safetensors"): SafetensorsHeader {
  const dataStart = safetensorsPrefixBytes(prefix, fileBytes, source);
  if (prefix.byteLength < dataStart) throw new RangeError(`${source}: got ${prefix.byteLength} header bytes, need ${dataStart}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(prefix.subarray(8, dataStart));
  } catch {
    throw new TypeError(`${source}: the header is not valid UTF-8`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${source}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new TypeError(`${source}: the header must be a JSON object`);
  const dataBytes = fileBytes - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    const where = `${source}: tensor "${name}"`;
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== "string")) {
        throw new TypeError(`${source}: __metadata__ must be an object of strings`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new TypeError(`${where}: entry must be an object with dtype, shape, data_offsets`);
    const { dtype, shape, data_offsets: offs } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string" || !(dtype in ITEM_BYTES)) {
      throw new TypeError(`${where}: dtype ${JSON.stringify(dtype)} is not supported (supported: ${Object.keys(ITEM_BYTES).join(", ")})`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) throw new TypeError(`${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isNonNegInt)) {
      throw new TypeError(`${where}: data_offsets ${JSON.stringify(offs)} must be [begin, end] non-negative integers`);
    }
    const [b, e] = offs as [number, number];
    if (b > e) throw new RangeError(`${where}: data_offsets [${b}, ${e}] has begin after end`);
    if (e > dataBytes) throw new RangeError(`${where}: data_offsets [${b}, ${e}] run past the end of the ${dataBytes}-byte data section`);
    let n = 1;
    for (const d of shape as number[]) n *= d;
    const need = n * ITEM_BYTES[dtype as SafetensorsDtype];
    if (!Number.isSafeInteger(need) || need !== e - b) {
      throw new RangeError(`${where}: ${dtype} shape [${(shape as number[]).join(", ")}] needs ${need} bytes, data_offsets [${b}, ${e}] hold ${e - b}`);
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e });
  }
  entries.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = dataStart;
  let prev = "";
  for (const t of entries) {
    if (t.begin < at) throw new RangeError(`${source}: tensor "${t.name}" (bytes ${t.begin - dataStart}..${t.end - dataStart}) overlaps tensor "${prev}"`);
    if (t.begin > at) throw new RangeError(`${source}: tensor "${t.name}" starts at data byte ${t.begin - dataStart}, leaving a gap after ${prev ? `tensor "${prev}"` : "the header"} (which ends at ${at - dataStart})`);
    at = t.end;
    prev = t.name;
  }
  if (at !== fileBytes) throw new RangeError(`${source}: ${fileBytes - at} bytes after the last tensor${prev ? ` "${prev}"` : ""} are not described by the header`);
  return { entries, metadata, dataStart, fileBytes };
}

/** Exact f16 / bf16 bits -> f32 conversions, under the names this module always exported (defined once, in ./half.ts). */
export { f16ToF32 as f16BitsToF32, bf16ToF32 as bf16BitsToF32 } from "./half.ts";

/** Decodes one tensor's raw bytes (exactly end - begin of them) to f32. */
export function decodeSafetensor(e: SafetensorsEntry, raw: Uint8Array): Float32Array {
  if (raw.byteLength !== e.end - e.begin) throw new RangeError(`safetensors: tensor "${e.name}" needs ${e.end - e.begin} bytes, got ${raw.byteLength}`);
  const n = raw.byteLength / ITEM_BYTES[e.dtype];
  // Copy into an aligned buffer first: tensor data in a file need not be 4-byte aligned.
  const aligned = new Uint8Array(raw.byteLength);
  aligned.set(raw);
  if (e.dtype === "F32") return new Float32Array(aligned.buffer, 0, n);
  return halfToF32(new Uint16Array(aligned.buffer, 0, n), e.dtype === "BF16" ? "bf16" : "f16");
}

/**
 * One tensor's raw bytes (exactly end - begin of them) as stored: f32 values, or the raw f16/bf16 bits
 * (copied into an aligned array; nothing is widened).
 */
export function safetensorValues(e: SafetensorsEntry, raw: Uint8Array): { dtype: "f32"; data: Float32Array } | { dtype: "f16" | "bf16"; bits: Uint16Array } {
  if (raw.byteLength !== e.end - e.begin) throw new RangeError(`safetensors: tensor "${e.name}" needs ${e.end - e.begin} bytes, got ${raw.byteLength}`);
  if (e.dtype === "F32") return { dtype: "f32", data: decodeSafetensor(e, raw) };
  const aligned = raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2) : new Uint16Array(raw.slice().buffer);
  return { dtype: e.dtype === "F16" ? "f16" : "bf16", bits: aligned };
}

/** Parses a whole safetensors file held in memory; tensors in file order, as f32. */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors"): { metadata: Readonly<Record<string, string>>; tensors: HostTensor[] } {
  const header = parseSafetensorsHeader(bytes, bytes.byteLength, source);
  const tensors = header.entries.map((e) => ({ name: e.name, shape: [...e.shape], data: decodeSafetensor(e, bytes.subarray(e.begin, e.end)) }));
  return { metadata: header.metadata, tensors };
}

/**
 * Encodes f32 tensors as a safetensors file, in the given order, as parts to write one after another
 * (header, then each tensor's bytes) so large models are never copied into one buffer.
 */
export function encodeSafetensors(tensors: readonly HostTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let at = 0;
  for (const t of tensors) {
    if (t.name === "__metadata__" || t.name in header) throw new RangeError(`encodeSafetensors: duplicate or reserved tensor name "${t.name}"`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new RangeError(`encodeSafetensors: tensor "${t.name}" has ${t.data.length} values, shape [${t.shape.join(", ")}] needs ${n}`);
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [at, at + 4 * n] };
    at += 4 * n;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8); // align data to 8 bytes
  const jsonBytes = new TextEncoder().encode(json);
  const head = new Uint8Array(8 + jsonBytes.byteLength);
  new DataView(head.buffer).setUint32(0, jsonBytes.byteLength, true);
  head.set(jsonBytes, 8);
  return [head, ...tensors.map((t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
}

/** Concatenates parts (e.g. of `encodeSafetensors`) into one array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
