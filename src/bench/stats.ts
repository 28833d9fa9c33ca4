/** Timing helpers of the benchmarks: warm-up runs, then the median of timed repeats. */

/** The median of `xs` (the mean of the two middle values for an even count). RangeError when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median: needs at least one value");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` `warmup` times untimed, then `reps` times timed; returns the times in ms. */
export async function timeRuns(fn: () => Promise<unknown>, reps: number, warmup = 1): Promise<number[]> {
  if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`timeRuns: reps is ${reps}; it must be a positive integer`);
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** A right-aligned text table (first column left-aligned) with a header rule. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) => r.map((v, c) => (c === 0 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join("  ");
  return [line(rows[0]!), w.map((n) => "-".repeat(n)).join("  "), ...rows.slice(1).map(line)].join("\n");
}
