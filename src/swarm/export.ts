/**
 * `exportRun`: the run folder of a swarm run, as a single-process run writes it: trajectory.jsonl (the
 * run stream's messages, one per line), metrics.jsonl, masks.json, config.json (the run's options),
 * loss.svg, model/ (or adapter/) rebuilt by replaying the committed steps on the base model (no forward
 * pass), and for task runs eval.json with the final evaluation.
 */
import { resolveFineTune } from "../train/options.ts";
import { prepareRun } from "../train/prepare.ts";
import { lossChart } from "../train/report.ts";
import { type RunSink, writeText } from "../train/sink.ts";
import { MASKS_FILE } from "../train/target.ts";
import type { RunConnection } from "./connection.ts";
import { decodeHeader, decodeStep } from "./protocol.ts";
import { readTrajectoryLines, type LocalModel, workerOptions } from "./run.ts";

const enc = new TextEncoder();

/** Writes the run folder of `conn`'s run into `out`; returns the names written and the steps committed. */
export async function exportRun(conn: RunConnection, local: LocalModel, out: RunSink): Promise<{ written: string[]; steps: number }> {
  const lines = await readTrajectoryLines(conn);
  if (lines.length === 0) throw new RangeError(`swarm run ${conn.names.id}: the run stream is empty (no header yet)`);
  const header = decodeHeader(enc.encode(lines[0]!));
  const steps = lines.slice(1).map((l) => decodeStep(enc.encode(l)));
  const { options, sink } = await workerOptions(conn, header, local);
  const written: string[] = [];
  const put = async (name: string, text: string) => {
    await writeText(out, name, text);
    written.push(name);
  };
  const masks = (await sink.readText(MASKS_FILE));
  if (masks !== undefined) await put(MASKS_FILE, masks);
  await put("config.json", JSON.stringify({ swarm: header.extra.swarm, committed: steps.length }, null, 2) + "\n");
  await put("trajectory.jsonl", lines.join(""));
  await put("metrics.jsonl", steps.map((r) => JSON.stringify({ step: r.step, loss: r.loss, g: r.g, lr: r.lr, ms: r.ms, skipped: r.skipped, ...(r.reason !== undefined ? { reason: r.reason } : {}) }) + "\n").join(""));
  const r = resolveFineTune(options);
  const run = await prepareRun(options, r, sink, true, () => {});
  try {
    await run.applySteps(steps);
    const title = `${r.cfg.method} swarm run ${conn.names.id}`;
    let curve: { step: number; dev_loss: number }[] | undefined;
    if (r.settings !== undefined) {
      const after = await run.evaluate();
      curve = [{ step: steps.length, dev_loss: after.dev_loss }];
      await put("eval.json", JSON.stringify({ method: r.cfg.method, tasks: r.settings.tasks, steps: steps.length, trainable: run.target.trainable, total: run.target.total, after }, null, 2) + "\n");
    }
    await put("loss.svg", lossChart(title, steps.map((x) => [x.step + 1, x.loss]), curve));
    written.push(...(await run.target.finish(out)));
  } finally {
    run.destroy();
  }
  return { written: written.map((f) => out.path(f)), steps: steps.length };
}
