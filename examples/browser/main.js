// The demo page: reads the form (pre-filled from the query string), starts the training worker, and
// renders its events: adapter info, a live loss chart, the before/after accuracy table. With
// ?autostart=1 it starts at once. window.mazoDemo.events keeps every event (tests read it).
import { DEMO_DEFAULTS } from "../../dist/mazo.js";
import { LossChart } from "./chart.js";

const $ = (id) => document.getElementById(id);
const form = $("form");
const chart = new LossChart($("chart"));
const state = { events: [], frames: 0, worker: null };
window.mazoDemo = state;

const DEFAULTS = {
  model: "/data/stories260K/stories260K.bin",
  tokenizer: "/data/stories260K/tok512.bin",
  data: "/data",
  tasks: DEMO_DEFAULTS.tasks.join(","),
  steps: DEMO_DEFAULTS.steps,
  batch: DEMO_DEFAULTS.batch,
  train: DEMO_DEFAULTS.trainSize,
  test: DEMO_DEFAULTS.testSize,
  lr: DEMO_DEFAULTS.lr,
  eps: DEMO_DEFAULTS.eps,
  seed: DEMO_DEFAULTS.seed,
  method: DEMO_DEFAULTS.method,
  keep: 0.05,
};
const query = new URLSearchParams(location.search);
for (const [k, v] of Object.entries(DEFAULTS)) form.elements[k].value = query.get(k) ?? String(v);

function tick() {
  state.frames++;
  if (state.frames % 10 === 0) $("heartbeat").textContent = `frames: ${state.frames}`;
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

const abs = (url) => new URL(url, location.href).href;

function fileRef(urlField, fileField) {
  const f = form.elements[fileField].files?.[0];
  return f ? { file: f, name: f.name } : { url: abs(form.elements[urlField].value) };
}

function request() {
  const picked = [...(form.elements.dataFiles.files ?? [])];
  const num = (k) => Number(form.elements[k].value);
  return {
    ...DEMO_DEFAULTS,
    model: fileRef("model", "modelFile"),
    tokenizer: fileRef("tokenizer", "tokenizerFile"),
    data: picked.length > 0 ? { files: picked.map((file) => ({ path: file.webkitRelativePath || file.name, file })) } : { url: abs(form.elements.data.value) },
    tasks: form.elements.tasks.value.split(",").map((s) => s.trim()).filter(Boolean),
    steps: num("steps"),
    batch: num("batch"),
    trainSize: num("train"),
    testSize: num("test"),
    lr: num("lr"),
    eps: num("eps"),
    seed: num("seed"),
    maxLength: Number(query.get("maxLength") ?? DEMO_DEFAULTS.maxLength),
    method: form.elements.method.value,
    keep: num("keep"),
  };
}

function setState(s, message) {
  document.body.dataset.state = s;
  if (message !== undefined) $("status").textContent = message;
  $("start").disabled = s === "running";
  $("stop").disabled = s !== "running";
}

const pct = (a) => (a === undefined ? "" : `${(100 * a.accuracy).toFixed(1)}% (${a.correct}/${a.total})`);

function renderAccuracy() {
  const by = {};
  for (const e of state.events) if (e.type === "accuracy") by[e.phase] = e.report;
  const tasks = Object.keys(by.before?.tasks ?? by.after?.tasks ?? {});
  const rows = tasks.map((t) => [t, pct(by.before?.tasks[t]), pct(by.after?.tasks[t])]);
  if (tasks.length > 0) rows.push(["average", by.before ? `${(100 * by.before.average).toFixed(1)}%` : "", by.after ? `${(100 * by.after.average).toFixed(1)}%` : ""]);
  $("accuracy").tBodies[0].replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    for (const c of cells) tr.append(Object.assign(document.createElement("td"), { textContent: c }));
    return tr;
  }));
}

function renderAdapter(e) {
  const items = [["adapter", e.info.description], ["vendor", e.info.vendor], ["architecture", e.info.architecture], ["path", e.path], ["software", e.info.software ? "yes (fallback)" : "no"], ...Object.entries(e.limits)];
  $("adapter").replaceChildren(...items.flatMap(([k, v]) => [Object.assign(document.createElement("dt"), { textContent: k }), Object.assign(document.createElement("dd"), { textContent: String(v) })]));
}

function onEvent(e) {
  state.events.push(e);
  switch (e.type) {
    case "adapter": renderAdapter(e); break;
    case "status": $("status").textContent = `${e.message}...`; break;
    case "loaded": $("status").textContent = `${e.params.toLocaleString()} parameters; tasks ${e.tasks.join(", ")}; trainer: ${e.trainer}`; break;
    case "accuracy": renderAccuracy(); break;
    case "step":
      chart.push(e.step, e.loss);
      $("status").textContent = `step ${e.step + 1}: loss ${e.loss.toFixed(4)}, ${e.stepsPerSec.toFixed(2)} steps/s`;
      break;
    case "done": finish("done", `Done in ${e.seconds.toFixed(1)} s.`); break;
    case "error": finish("error", `Error: ${e.message}`); break;
  }
}

function finish(s, message) {
  state.worker?.terminate();
  state.worker = null;
  setState(s, message);
}

function start() {
  state.events = [];
  chart.clear();
  renderAccuracy();
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (ev) => onEvent(ev.data);
  worker.onerror = (ev) => onEvent({ type: "error", message: ev.message || "the worker failed to start" });
  state.worker = worker;
  setState("running", "Starting the worker...");
  worker.postMessage(request());
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  start();
});
$("stop").addEventListener("click", () => finish("idle", "Stopped."));
if (query.get("autostart") === "1") start();
