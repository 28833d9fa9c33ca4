/**
 * `mazo experiment --config <file.json>`: several methods x seeds on one task mixture with the same
 * budget of forward passes (steps x 2 x probes), each a full `mazo train --tasks` run in its own folder,
 * then results.json, a results.md table (per-task accuracy, average, dev loss, steps, wall time, masked
 * fraction, peak GPU bytes) and convergence.svg (dev loss vs step per method, mean over seeds), as in the
 * MaZO paper's convergence figure. The config file holds option values (see --help), e.g.
 *   {"tasks": "sst2,trec,copa", "methods": "mezo,mazo,sparse-mezo,random-mask", "seeds": "0,1",
 *    "steps": 200, "lr": "mezo=3e-5,mazo=1e-3,sparse-mezo=1e-3,random-mask=1e-3", "out": "runs/exp"}
 */
import { join } from "node:path";
import { writeFileAtomic } from "../io/files.ts";
import { folderSink } from "../io/folder_sink.ts";
import { prepareOutputFolder } from "../io/output_folder.ts";
import { fmtDuration } from "../report/progress.ts";
import { lineChartSvg } from "../report/svg_chart.ts";
import { fineTune } from "../train/fine_tune.ts";
import { defaultLr } from "../train/options.ts";
import { headline } from "../train/evaluate.ts";
import { fmtMetric } from "../train/report.ts";
import type { FineTuneResult } from "../train/result.ts";
import { type Command, type OptionValues, UsageError } from "./command.ts";
import { contextFromOptions } from "./gpu_options.ts";
import { modelFromOptions } from "./model_options.ts";
import { checkTaskFiles, resolveTaskSettings, TASK_METHODS } from "./task_options.ts";
import { cliEvents } from "./train_events.ts";
import { fineTuneFields, resolveTrainConfig, taskData, TRAIN_OPTIONS } from "./train_options.ts";

const { data: _data, resume: _resume, method: _method, lr: _lr, seed: _seed, ...BASE } = TRAIN_OPTIONS;

/** Parses "a=1,b=2" or a single number into per-method values. */
export function perMethod(spec: string | undefined, methods: readonly string[], fallback: (m: string) => number): Map<string, number> {
  const out = new Map(methods.map((m) => [m, fallback(m)]));
  if (spec === undefined || spec === "") return out;
  if (!spec.includes("=")) {
    const v = Number(spec);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--lr must be a number or method=value list, got ${JSON.stringify(spec)}`);
    for (const m of methods) out.set(m, v);
    return out;
  }
  for (const part of spec.split(",")) {
    const [m, x] = part.split("=").map((s) => s.trim());
    const v = Number(x);
    if (m === undefined || !methods.includes(m)) throw new UsageError(`--lr names method ${JSON.stringify(m)}, which is not among --methods (${methods.join(", ")})`);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--lr ${m}=${x} is not a non-negative number`);
    out.set(m, v);
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

function pm(xs: readonly number[], scale: number, digits: number): string {
  return xs.length > 1 ? `${(mean(xs) * scale).toFixed(digits)} ± ${(sd(xs) * scale).toFixed(digits)}` : (mean(xs) * scale).toFixed(digits);
}

interface RunRow {
  readonly method: string;
  readonly seed: number;
  readonly lr: number;
  readonly result: FineTuneResult;
  readonly out: string;
}

/** results.md: one row per method, mean ± sd over seeds. */
export function resultsTable(rows: readonly RunRow[], tasks: readonly string[], budget: string): string {
  const methods = [...new Set(rows.map((r) => r.method))];
  const head = ["method", "lr", ...tasks.map((t) => `${t} ${rows[0]!.result.after!.tasks[t]!.f1 !== undefined ? "F1" : "acc"}`), "average", "dev loss before", "dev loss after", "steps", "wall time", "trained fraction", "peak GPU bytes (step)"];
  const lines = [`${budget}`, "", `| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  for (const m of methods) {
    const rs = rows.filter((r) => r.method === m);
    const cells = [
      m,
      String(rs[0]!.lr),
      ...tasks.map((t) => pm(rs.map((r) => headline(r.result.after!.tasks[t]!)), 100, 1)),
      pm(rs.map((r) => r.result.after!.average), 100, 1),
      pm(rs.map((r) => r.result.before!.dev_loss), 1, 4),
      pm(rs.map((r) => r.result.after!.dev_loss), 1, 4),
      String(rs[0]!.result.steps),
      fmtDuration(mean(rs.map((r) => r.result.wallMs)) / 1000),
      `${(100 * rs[0]!.result.trainable / rs[0]!.result.total).toFixed(2)}%`,
      String(Math.max(...rs.map((r) => r.result.memory.step))),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const before = rows[0]!.result.before!;
  lines.push("", `Before training (zero-shot, seed ${rows[0]!.seed}): ${tasks.map((t) => `${t} ${fmtMetric(before.tasks[t]!)}`).join(", ")}; average ${(100 * before.average).toFixed(1)}%.`);
  lines.push("Accuracy (token F1 for generation tasks) on each task's test split, dev loss = mean training loss on its dev split; mean ± sd over seeds.");
  return lines.join("\n") + "\n";
}

export const experimentCommand: Command = {
  name: "experiment",
  summary: "run several methods x seeds on one task mixture and write results.json, results.md, convergence.svg",
  usage: "--config <file.json> (option values: methods, seeds, tasks, steps, lr as method=value list, out, ...)",
  options: {
    ...BASE,
    methods: { type: "string", arg: "<list>", default: "mezo,mazo,sparse-mezo,random-mask", description: `methods to compare (${TASK_METHODS.join(", ")})` },
    seeds: { type: "string", arg: "<list>", default: "0", description: "run seeds (each method runs once per seed)" },
    lr: { type: "string", arg: "<x | m=x,...>", description: "learning rate for all methods, or per method (default: 3e-5 for mezo, 1e-3 otherwise)" },
  },
  async run(v, _p, io) {
    const methods = String(v.methods).split(",").map((s) => s.trim()).filter((s) => s !== "");
    for (const m of methods) if (!(TASK_METHODS as readonly string[]).includes(m)) throw new UsageError(`--methods: unknown method ${JSON.stringify(m)}; valid: ${TASK_METHODS.join(", ")}`);
    const seeds = String(v.seeds).split(",").map((s) => Number(s.trim()));
    for (const s of seeds) if (!Number.isInteger(s) || s < 0 || s >= 2 ** 32) throw new UsageError(`--seeds: ${s} is not a u32`);
    const lrs = perMethod(typeof v.lr === "string" ? v.lr : undefined, methods, defaultLr);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const out = typeof v.out === "string" ? v.out : join("runs", `experiment-${stamp}`);
    await checkTaskFiles(resolveTaskSettings(v, methods[0]!).tasks);
    const existing = v.overwrite === true ? "overwrite" : "refuse";
    prepareOutputFolder(out, existing); // before the GPU starts
    const { loaded, tokenizer } = await modelFromOptions(v, true);
    const ctx = await contextFromOptions(v, io);
    const adapter = `${ctx.info.description} via ${ctx.path}`;
    const rows: RunRow[] = [];
    const t0 = performance.now();
    try {
      for (const seed of seeds) {
        for (const method of methods) {
          const values: OptionValues = { ...v, method, seed: String(seed), lr: String(lrs.get(method)) };
          const settings = resolveTaskSettings(values, method);
          const cfg = resolveTrainConfig(values, settings.method, { steps: 200, lr: lrs.get(method)!, batch: 12 });
          const runOut = join(out, `${method}-seed${seed}`);
          if (v.quiet !== true) io.err(`experiment: ${method} seed ${seed} -> ${runOut}`);
          const result = await fineTune({
            ctx,
            model: { weights: loaded.weights, name: loaded.path },
            tokenizer: tokenizer!,
            data: taskData(settings),
            ...fineTuneFields(cfg, settings),
            sink: folderSink(runOut, existing),
            config: { options: { ...Object.fromEntries(Object.entries(values).filter(([k, x]) => x !== undefined && !["config", "help", "quiet", "methods", "seeds"].includes(k))), out: runOut, tasks: settings.tasks.join(",") }, experiment: out },
            onEvent: cliEvents(io, { label: `${method} seed ${seed}`, total: cfg.steps, quiet: v.quiet === true }),
          });
          rows.push({ method, seed, lr: lrs.get(method)!, result, out: runOut });
        }
      }
    } finally {
      ctx.destroy();
    }
    // Task names as the reports key them (a task file's "name", not its path).
    const tasks = Object.keys(rows[0]!.result.after?.tasks ?? {});
    const steps = rows[0]!.result.steps;
    const probes = Number(v.probes ?? 1);
    const budget = `Budget: ${steps} steps x 2 x ${probes} probe(s) = ${steps * 2 * probes} forward passes of a batch of ${v.batch ?? 12} examples per run; tasks ${tasks.join(", ")}; seeds ${seeds.join(", ")}; model ${loaded.path}; adapter ${adapter}; total wall time ${fmtDuration((performance.now() - t0) / 1000)}.`;
    const md = `# mazo experiment\n\n${resultsTable(rows, tasks, budget)}`;
    writeFileAtomic(join(out, "results.md"), [new TextEncoder().encode(md)]);
    const json = { tasks, methods, seeds, budget: { steps, probes, forwardPasses: steps * 2 * probes }, runs: rows.map((r) => ({ method: r.method, seed: r.seed, lr: r.lr, out: r.out, before: r.result.before, after: r.result.after, best: r.result.best, curve: r.result.curve, steps: r.result.steps, wall_seconds: r.result.wallMs / 1000, train_seconds: r.result.trainMs / 1000, trainable: r.result.trainable, total: r.result.total, memory: r.result.memory })) };
    writeFileAtomic(join(out, "results.json"), [new TextEncoder().encode(JSON.stringify(json, null, 2) + "\n")]);
    const series = methods.map((m) => {
      const rs = rows.filter((r) => r.method === m);
      const points = rs[0]!.result.curve.map((c, i) => [c.step, mean(rs.map((r) => r.result.curve[i]?.dev_loss ?? NaN))] as const);
      return { name: `${m} (lr ${lrs.get(m)})`, points };
    });
    const svg = lineChartSvg(series, { title: `dev loss on ${tasks.join("+")} (mean over ${seeds.length} seed${seeds.length > 1 ? "s" : ""})`, xLabel: "step", yLabel: "dev loss" });
    writeFileAtomic(join(out, "convergence.svg"), [new TextEncoder().encode(svg)]);
    io.out(md);
    io.out(`wrote ${join(out, "results.md")}, ${join(out, "results.json")}, ${join(out, "convergence.svg")}`);
    return 0;
  },
};
