// The extension's check: everything comes from the extension's own files (vendor/, filled by
// build/extension.mjs). Golden forward check of stories260K, tokenizer agreement, then a few MeZO steps
// on golden.json's story through fineTune (the pipeline the CLI and the demo worker run) into a memory
// sink; the result is written to <body data-result> as JSON for tests and shown as a table.
import { createGpuContext, fetchBytes, fineTune, goldenForwardCheck, LlamaModel, loadTokenizer, memorySink, ParamStore, parseLlama2c } from "./vendor/mazo.js";

const STEPS = 3;
const $ = (id) => document.getElementById(id);

function row(name, value, ok) {
  const tr = document.createElement("tr");
  for (const [text, cls] of [[name, ""], [value, ""], [ok === undefined ? "" : ok ? "ok" : "FAIL", ok === undefined ? "" : ok ? "ok" : "bad"]]) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.append(td);
  }
  $("results").append(tr);
}

async function main() {
  const ctx = await createGpuContext();
  try {
    const [modelBytes, tokBytes, goldenBytes] = await Promise.all(["stories260K.bin", "tok512.bin", "golden.json"].map((f) => fetchBytes(chrome.runtime.getURL(`vendor/${f}`))));
    const golden = JSON.parse(new TextDecoder().decode(goldenBytes));
    const tok = await loadTokenizer(tokBytes);
    const weights = parseLlama2c(modelBytes);
    const model = new LlamaModel(ctx, ParamStore.upload(ctx, weights));
    const report = await goldenForwardCheck(model, golden, { greedyTokens: 20 });
    model.releaseActivations();
    model.store.destroy(ctx);
    const promptIds = Array.from(tok.encode("Once upon a time", { bos: true }));
    const tokenizerOk = JSON.stringify(promptIds) === JSON.stringify(golden.logits_after_prompt.prompt_ids);

    $("status").textContent = `Training ${STEPS} MeZO steps through fineTune\u2026`;
    const sink = memorySink();
    const events = [];
    const run = await fineTune({
      ctx,
      model: { weights, name: "vendor/stories260K.bin" },
      tokenizer: tok,
      data: { texts: [golden.teacher_forced_nll.text], label: "golden.json story" },
      method: "mezo",
      steps: STEPS,
      batch: 1,
      noWeights: true,
      trainer: { seed: 7, eps: 1e-3, lr: 1e-4 },
      sink,
      onEvent: (e) => events.push(e),
    });
    const steps = events.filter((e) => e.type === "step").map((e) => ({ step: e.step, lossPlus: e.record.lossPlus[0], lossMinus: e.record.lossMinus[0], g: e.record.g[0] }));
    const trajectoryLines = new TextDecoder().decode(sink.files.get("trajectory.jsonl")).trimEnd().split("\n").length;
    const done = events.at(-1)?.type === "done";
    const stepsOk = steps.length === STEPS && steps.every((s) => Number.isFinite(s.lossPlus) && Number.isFinite(s.lossMinus)) && trajectoryLines === 1 + STEPS && done;
    const result = {
      adapter: ctx.info, path: ctx.path, golden: report, tokenizerOk, promptIds, steps, trajectoryLines, done,
      files: [...sink.files.keys()].sort(), description: run.description, memory: run.memory,
      ok: report.ok && tokenizerOk && stepsOk,
    };
    row("adapter", `${ctx.info.description} (${ctx.path}${ctx.info.software ? ", software" : ""})`);
    row("logits after BOS, max |diff|", report.bosMaxAbsDiff.toExponential(2), report.bosOk);
    row("logits after \"Once upon a time\", max |diff|", report.promptMaxAbsDiff.toExponential(2), report.promptOk);
    row("20 greedy tokens from BOS", report.greedyEqual ? "equal to golden.json" : `got ${report.greedyIds.join(" ")}`, report.greedyEqual);
    row("tokenizer", promptIds.join(" "), tokenizerOk);
    for (const s of steps) row(`fineTune step ${s.step}`, `loss+ ${s.lossPlus.toFixed(5)} loss- ${s.lossMinus.toFixed(5)} g ${s.g.toFixed(4)}`);
    row("run files", `${result.files.join(", ")} (trajectory: ${trajectoryLines} lines)`, stepsOk);
    $("story").textContent = tok.decode(report.greedyIds);
    $("status").textContent = result.ok ? "All checks passed." : "Some checks FAILED.";
    document.body.dataset.result = JSON.stringify(result);
  } finally {
    ctx.destroy();
  }
}

main().catch((e) => {
  $("status").textContent = `Error: ${e?.stack ?? e}`;
  document.body.dataset.result = JSON.stringify({ ok: false, error: String(e?.stack ?? e) });
}).finally(() => {
  document.body.dataset.state = "done";
});
