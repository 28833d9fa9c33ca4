// Small readers for tokenizer.json fields: each names the stage and field when the value has the wrong type.
import { compilePattern } from "./regex.ts";

/** A parsed JSON object. */
export type Json = { [key: string]: unknown };

/** `v` as an object, or TypeError naming `what`. */
export function obj(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError(`tokenizer.json: ${what} is ${JSON.stringify(v)?.slice(0, 80)}; expected an object`);
  return v as Json;
}

/** `v` as an array, or TypeError naming `what`. */
export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new TypeError(`tokenizer.json: ${what} is ${JSON.stringify(v)?.slice(0, 80)}; expected an array`);
  return v;
}

/** `v` as a string, or TypeError naming `what`. */
export function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new TypeError(`tokenizer.json: ${what} is ${JSON.stringify(v)?.slice(0, 80)}; expected a string`);
  return v;
}

/** `v` as a number, or TypeError naming `what`. */
export function num(v: unknown, what: string): number {
  if (typeof v !== "number") throw new TypeError(`tokenizer.json: ${what} is ${JSON.stringify(v)?.slice(0, 80)}; expected a number`);
  return v;
}

/** Token ids at most this (4M: today's largest vocabularies hold 256K). */
export const MAX_TOKEN_ID = (1 << 22) - 1;

/** `v` as a token id: an integer in [0, MAX_TOKEN_ID], or RangeError naming `what`. */
export function tokenId(v: unknown, what: string): number {
  const n = num(v, what);
  if (!Number.isInteger(n) || n < 0 || n > MAX_TOKEN_ID) throw new RangeError(`tokenizer.json: ${what} is ${n}; expected a token id, an integer in [0, ${MAX_TOKEN_ID}]`);
  return n;
}

/** `v` as a boolean (absent: `dflt`), or TypeError naming `what`. */
export function bool(v: unknown, dflt: boolean, what: string): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") throw new TypeError(`tokenizer.json: ${what} is ${JSON.stringify(v)}; expected a boolean`);
  return v;
}

/** The error for a stage type this library does not implement. */
export function unknownStage(stage: string, type: unknown): Error {
  return new TypeError(`tokenizer.json: unknown ${stage} type ${JSON.stringify(type)}; this library does not implement it`);
}

/** A Replace or Split stage's pattern ({String} or {Regex}, Oniguruma syntax rewritten for JavaScript) as a global RegExp. */
export function pattern(v: unknown, what: string): RegExp {
  const p = obj(v, what);
  if (typeof p.String === "string") return new RegExp(p.String.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gu");
  if (typeof p.Regex === "string") return compilePattern(p.Regex);
  throw new TypeError(`tokenizer.json: ${what} is ${JSON.stringify(v)}; expected {"String": ...} or {"Regex": ...}`);
}
