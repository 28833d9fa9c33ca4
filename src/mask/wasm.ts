/**
 * Instantiates the mask Wasm module (assembly/mask, embedded base64 by build/asc.mjs) and types its
 * exports. Works the same on Deno, Node and the browser: no file or network access.
 */
import { WASM } from "../gen/wasm.ts";

/** The exports of assembly/mask; the ABI is numbers only (byte pointers, counts, codes). */
export interface MaskExports {
  readonly memory: WebAssembly.Memory;
  /** First free byte after static data. */
  heapBase(): number;
  /** See assembly/mask/select.ts. Returns -1 or the offset of the first NaN. */
  topkRows(scores: number, rows: number, cols: number, k: number, keys: number, cand: number, hist: number, scratch: number, out: number, base: number): number;
  /** See assembly/mask/normalise.ts. Returns -1 or the offset of the first non-finite score. */
  combineRows(src: number, tasks: number, rows: number, cols: number, mode: number, acc: number, out: number): number;
}

const FUNCTIONS = ["heapBase", "topkRows", "combineRows"] as const;

/** Bytes of a base64 string (atob exists on Deno, Node >= 16 and browsers). */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A fresh instance of the mask module with its own memory. */
export async function instantiateMaskWasm(): Promise<MaskExports> {
  const b64 = WASM["mask"];
  if (b64 === undefined) throw new Error("mask: src/gen/wasm.ts has no \"mask\" module; run node build/asc.mjs");
  let memory: WebAssembly.Memory | undefined;
  const abort = (msg: number, file: number, line: number, col: number): never => {
    throw new Error(`mask: Wasm abort ${readString(memory, msg)} at ${readString(memory, file)}:${line}:${col}`);
  };
  const { instance } = await WebAssembly.instantiate(decodeBase64(b64), { env: { abort } });
  const ex = instance.exports as Record<string, unknown>;
  if (!(ex["memory"] instanceof WebAssembly.Memory)) throw new Error("mask: the Wasm module exports no memory");
  for (const f of FUNCTIONS) if (typeof ex[f] !== "function") throw new Error(`mask: the Wasm module does not export ${f}()`);
  memory = ex["memory"];
  return ex as unknown as MaskExports;
}

/** An AssemblyScript string (UTF-16, byte length at ptr - 4), or "?" when unreadable. */
function readString(memory: WebAssembly.Memory | undefined, ptr: number): string {
  if (memory === undefined || ptr < 4 || ptr > memory.buffer.byteLength) return "?";
  const len = new DataView(memory.buffer).getUint32(ptr - 4, true) >>> 1;
  if (ptr + 2 * len > memory.buffer.byteLength) return "?";
  return String.fromCharCode(...new Uint16Array(memory.buffer.slice(ptr, ptr + 2 * len)));
}
