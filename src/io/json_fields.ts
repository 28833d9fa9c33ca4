/**
 * Field checks for parsed JSON files (checkpoint.json, masks.json): each failure is a MazoFormatError
 * naming the file, the field, the value found and what was expected.
 */
import { MazoFormatError } from "./errors.ts";

/** The checks for fields of the file at `path`. */
export interface FieldChecks {
  /** Throws for `field` holding `value` where `expected` was needed. */
  fail(field: string, value: unknown, expected: string): never;
  /** Whether `x` is a JSON object (not null, not an array). */
  isObj(x: unknown): x is Record<string, unknown>;
  /** `x` as a safe non-negative integer, at most `max` when given. */
  count(x: unknown, field: string, max?: number): number;
  /** `x` as a list of numbers. */
  nums(x: unknown, field: string): number[];
}

/** Field checks whose errors name `path`. */
export function fieldChecks(path: string): FieldChecks {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new MazoFormatError(path, field, `${JSON.stringify(value)?.slice(0, 80) ?? String(value)}; expected ${expected}`);
  };
  return {
    fail,
    isObj: (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x),
    count: (x, field, max) =>
      Number.isSafeInteger(x) && (x as number) >= 0 && (max === undefined || (x as number) <= max)
        ? (x as number)
        : fail(field, x, max === undefined ? "a non-negative integer" : `an integer in [0, ${max}]`),
    nums: (x, field) => (Array.isArray(x) && x.every((y) => typeof y === "number") ? (x as number[]) : fail(field, x, "a list of numbers")),
  };
}
