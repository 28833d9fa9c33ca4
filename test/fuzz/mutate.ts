/**
 * Seeded, reproducible mutations of valid inputs for the fuzzing suite: byte-level (truncation at every
 * given boundary and at random points, bit flips, length fields set to 0, -1, 2^24, 2^31, 2^53, huge
 * appended lines) and JSON-level (deleted and duplicated keys, values of the wrong JSON type, huge
 * strings, extreme numbers). Every mutation has a name, so a failure can be replayed by seed and index.
 */
import { Rng } from "../harness/random.ts";

/** One mutated input and what was done to it. */
export interface Mutant<T> {
  readonly what: string;
  readonly input: T;
}

/** Length-field values every integer field is tried with. */
export const EXTREMES: readonly number[] = [0, -1, 2 ** 24, 2 ** 31, 2 ** 53];

/** Truncations at each boundary (and one byte either side), then `random` truncations at random points. */
export function truncations(bytes: Uint8Array, boundaries: readonly number[], rng: Rng, random: number): Mutant<Uint8Array>[] {
  const at = new Set<number>([0, 1]);
  for (const b of boundaries) for (const d of [-1, 0, 1]) if (b + d >= 0 && b + d < bytes.length) at.add(b + d);
  for (let i = 0; i < random; i++) at.add(rng.int(0, bytes.length - 1));
  return [...at].sort((a, b) => a - b).map((n) => ({ what: `truncated to ${n} bytes`, input: bytes.slice(0, n) }));
}

/** `n` copies with 1-8 random bits flipped (in the first `within` bytes when given: headers). */
export function bitFlips(bytes: Uint8Array, rng: Rng, n: number, within = bytes.length): Mutant<Uint8Array>[] {
  const out: Mutant<Uint8Array>[] = [];
  for (let i = 0; i < n; i++) {
    const b = bytes.slice();
    const flips: number[] = [];
    for (let k = rng.int(1, 8); k > 0; k--) {
      const bit = rng.int(0, 8 * Math.min(within, b.length) - 1);
      b[bit >> 3]! ^= 1 << (bit & 7);
      flips.push(bit);
    }
    out.push({ what: `bits ${flips.join(",")} flipped`, input: b });
  }
  return out;
}

/** Copies with the little-endian integer field at `offset` (`width` 4 or 8 bytes) set to each extreme. */
export function lengthFields(bytes: Uint8Array, fields: readonly { offset: number; width: 4 | 8; name: string }[]): Mutant<Uint8Array>[] {
  const out: Mutant<Uint8Array>[] = [];
  for (const f of fields) {
    for (const v of EXTREMES) {
      const b = bytes.slice();
      const dv = new DataView(b.buffer);
      if (f.width === 4) dv.setInt32(f.offset, v >= 2 ** 31 ? (v === 2 ** 31 ? -(2 ** 31) : -1) : v, true);
      else dv.setBigInt64(f.offset, BigInt(v), true);
      out.push({ what: `${f.name} set to ${v}`, input: b });
    }
  }
  return out;
}

/** Every path (key list) to a value inside `v`, objects and arrays included. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = [], limit = 4000): (string | number)[][] {
  if (out.length >= limit) return out;
  if (Array.isArray(v)) {
    v.slice(0, 8).forEach((x, i) => {
      out.push([...at, i]);
      paths(x, [...at, i], out, limit);
    });
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.push([...at, k]);
      paths(x, [...at, k], out, limit);
    }
  }
  return out;
}

const WRONG: readonly unknown[] = [null, true, -1, 0, 2 ** 31, 2 ** 53, 1e308, -0.5, "", "x".repeat(1 << 20), [], [1, "a", null], {}, { a: 1 }];

/** `n` JSON-level mutations of `value` (as text): a deleted key, a duplicated key, a value of another type. */
export function jsonMutants(value: unknown, rng: Rng, n: number): Mutant<string>[] {
  const ps = paths(value);
  const out: Mutant<string>[] = [];
  if (ps.length === 0) return out;
  for (let i = 0; i < n; i++) {
    const copy = structuredClone(value) as Record<string | number, unknown>;
    const p = ps[rng.int(0, ps.length - 1)]!;
    let parent: Record<string | number, unknown> = copy;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const key = p[p.length - 1]!;
    const kind = rng.int(0, 2);
    const where = p.join(".");
    if (kind === 0) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      out.push({ what: `deleted ${where}`, input: JSON.stringify(copy) });
    } else if (kind === 1 && !Array.isArray(parent)) {
      // A duplicated key: JSON.parse keeps the last one, which here has another value.
      const text = JSON.stringify(copy);
      const needle = `${JSON.stringify(String(key))}:`;
      const at = text.indexOf(needle);
      const dup = at < 0 ? text : `${text.slice(0, at)}${needle}${JSON.stringify(parent[key])},${needle}${JSON.stringify(WRONG[rng.int(0, WRONG.length - 1)])}${text.slice(at + needle.length + JSON.stringify(parent[key]).length)}`;
      out.push({ what: `duplicated key ${where}`, input: dup });
    } else {
      const w = WRONG[rng.int(0, WRONG.length - 1)];
      parent[key] = w;
      out.push({ what: `${where} set to ${typeof w === "string" && w.length > 20 ? `a ${w.length}-char string` : JSON.stringify(w)}`, input: JSON.stringify(copy) });
    }
  }
  return out;
}

/** Text-level mutations: truncations of the text, a huge single line, bytes that are not UTF-8. */
export function textMutants(text: string, rng: Rng, n: number): Mutant<string>[] {
  const out: Mutant<string>[] = [];
  for (let i = 0; i < n; i++) {
    const cut = rng.int(0, text.length);
    out.push({ what: `text truncated at ${cut}`, input: text.slice(0, cut) });
  }
  out.push({ what: "a 4 MB single line appended", input: text + "a".repeat(4 << 20) });
  out.push({ what: "replacement characters", input: text.replace(/[aeiou]/g, "\ufffd") });
  out.push({ what: "empty", input: "" });
  return out;
}
