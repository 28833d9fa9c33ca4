/** Text and chart renderings of a run: the before/after accuracy table and loss.svg. */
import { lineChartSvg } from "../report/svg_chart.ts";
import type { CurvePoint } from "./checkpoint.ts";
import type { EvalReport, TaskEval } from "./evaluate.ts";

/** Accuracy as a percentage with one decimal ("81.0%"). */
export function fmtAcc(a: number): string {
  return `${(100 * a).toFixed(1)}%`;
}

/** A task's test metric: accuracy ("81.0%"), or for a generation task exact match and token F1 ("EM 40.0% F1 52.3%"). */
export function fmtMetric(e: TaskEval): string {
  return e.f1 !== undefined ? `EM ${fmtAcc(e.em ?? e.accuracy)} F1 ${fmtAcc(e.f1)}` : fmtAcc(e.accuracy);
}

/**
 * The before/after table of a run, one row per task plus the average (markdown). Generation tasks show
 * exact match and token F1; the average is over each task's headline metric (accuracy, or F1).
 */
export function beforeAfterTable(before: EvalReport, after: EvalReport): string {
  const rows = [["task", "acc before", "acc after", "dev loss before", "dev loss after"]];
  for (const t of Object.keys(before.tasks)) {
    const b = before.tasks[t]!, a = after.tasks[t]!;
    rows.push([t, fmtMetric(b), fmtMetric(a), b.dev_loss.toFixed(4), a.dev_loss.toFixed(4)]);
  }
  rows.push(["average", fmtAcc(before.average), fmtAcc(after.average), before.dev_loss.toFixed(4), after.dev_loss.toFixed(4)]);
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => "| " + r.map((v, c) => (c === 0 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join(" | ") + " |";
  return [line(rows[0]!), "|" + w.map((n, c) => (c === 0 ? "-".repeat(n + 2) : "-".repeat(n + 1) + ":")).join("|") + "|", ...rows.slice(1).map(line)].join("\n");
}

/** Exponential moving average of a series' y values (smoothing factor alpha), skipping non-finite ones. */
export function ema(points: readonly (readonly [number, number])[], alpha: number): [number, number][] {
  const out: [number, number][] = [];
  let m = NaN;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) continue;
    m = Number.isNaN(m) ? y : m + alpha * (y - m);
    out.push([x, m]);
  }
  return out;
}

/** loss.svg: the batch training loss, its EMA and the dev-loss curve (when there is one). */
export function lossChart(title: string, trainLoss: readonly (readonly [number, number])[], curve: readonly CurvePoint[] | undefined): string {
  if (curve === undefined) return lineChartSvg([{ name: "train loss (batch)", points: trainLoss }], { title, xLabel: "step", yLabel: "loss" });
  return lineChartSvg(
    [{ name: "train loss (batch)", points: trainLoss, dashed: true }, { name: "train loss (EMA 0.1)", points: ema(trainLoss, 0.1) }, { name: "dev loss", points: curve.map((c) => [c.step, c.dev_loss] as const) }],
    { title, xLabel: "step", yLabel: "loss" },
  );
}
