// The extension's check: everything comes from the extension's own files (vendor/, filled by
// build/extension.mjs). Golden forward check of stories260K, tokenizer agreement, then MeZO steps on a
// story; the result is written to <body data-result> as JSON for tests and shown as a table.
import { createGpuContext, fetchBytes, goldenForwardCheck, LlamaModel, loadTokenizer, mezoSteps, ParamStore, parseLlama2c, sequenceNll } from "./vendor/mazo.js";

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
    const model = new LlamaModel(ctx, ParamStore.upload(ctx, parseLlama2c(modelBytes)));
    const report = await goldenForwardCheck(model, golden, { greedyTokens: 20 });
    const promptIds = Array.from(tok.encode("Once upon a time", { bos: true }));
    const tokenizerOk = JSON.stringify(promptIds) === JSON.stringify(golden.logits_after_prompt.prompt_ids);
    const story = golden.teacher_forced_nll.ids_with_bos;
    const steps = await mezoSteps(model, sequenceNll(model, [story]), { steps: STEPS, seed: 7, eps: 1e-3, lr: 1e-4 });
    model.releaseActivations();
    model.store.destroy(ctx);
    const result = { adapter: ctx.info, path: ctx.path, golden: report, tokenizerOk, promptIds, steps, ok: report.ok && tokenizerOk && steps.every((s) => Number.isFinite(s.lossPlus)) };
    row("adapter", `${ctx.info.description} (${ctx.path}${ctx.info.software ? ", software" : ""})`);
    row("logits after BOS, max |diff|", report.bosMaxAbsDiff.toExponential(2), report.bosOk);
    row("logits after \"Once upon a time\", max |diff|", report.promptMaxAbsDiff.toExponential(2), report.promptOk);
    row("20 greedy tokens from BOS", report.greedyEqual ? "equal to golden.json" : `got ${report.greedyIds.join(" ")}`, report.greedyEqual);
    row("tokenizer", promptIds.join(" "), tokenizerOk);
    for (const s of steps) row(`MeZO step ${s.step}`, `loss+ ${s.lossPlus.toFixed(5)} loss- ${s.lossMinus.toFixed(5)} g ${s.g.toFixed(4)}`);
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
