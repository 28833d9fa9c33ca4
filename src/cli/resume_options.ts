/**
 * `--resume <dir>` with other flags: a resumed run keeps the settings it was started with, so a flag
 * that contradicts them is refused (naming the flag, the value given and the saved value) instead of
 * being silently ignored. What may change: how the run is shown (--quiet), where it runs (--backend),
 * and --steps, upwards, for a constant learning rate (a schedule is a function of the total steps, so
 * more steps would change the steps already taken).
 */
import { type OptionValues, UsageError } from "./command.ts";

/** Options a resumed run may take with a value other than its saved one. */
const FREE = new Set(["resume", "backend", "quiet", "config", "help"]);

/** The values a resumed run uses: the saved ones, with the permitted changes; `notes` says what changed. */
export function resumedValues(dir: string, saved: OptionValues, v: OptionValues, given: ReadonlySet<string>): { values: OptionValues; notes: string[] } {
  const values: Record<string, string | boolean | undefined> = { ...saved, backend: v.backend, quiet: v.quiet };
  const notes: string[] = [];
  for (const k of given) {
    if (FREE.has(k)) continue;
    const now = v[k], before = saved[k];
    if (String(now) === String(before)) continue;
    if (k === "steps") {
      const n = Number(now), was = Number(before ?? NaN);
      const constant = (saved.schedule ?? "constant") === "constant";
      if (Number.isInteger(n) && Number.isFinite(was) && n > was && constant) {
        values.steps = String(n);
        notes.push(`--resume ${dir}: training to step ${n} instead of the saved ${was}`);
        continue;
      }
      const why = !constant ? `the run's ${String(saved.schedule)} schedule depends on the total steps` : `a resumed run can only train longer than its ${before ?? "default"} steps`;
      throw new UsageError(`--resume ${dir}: --steps ${String(now)} cannot be applied: ${why}`);
    }
    throw new UsageError(
      `--resume ${dir}: --${k} ${String(now)} contradicts the saved run's ${k} ${before === undefined ? "(not set)" : String(before)}; a resumed run keeps its settings (only --steps may grow, with a constant lr)`,
    );
  }
  return { values, notes };
}
