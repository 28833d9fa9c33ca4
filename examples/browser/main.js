// The demo page: reads the form (pre-filled from the query string), starts the training worker
// (worker.js: serveFineTune, i.e. fineTune in a worker) and renders the messages it posts
// (src/browser/protocol.ts): the adapter, fineTune's events (progress, step, evaluation, done), and
// "finished" with the run's files, offered as downloads and saved to the origin's private file system
// (OPFS) where there is one. With ?autostart=1 it starts at once. window.mazoDemo.events keeps every
// message (tests read it).
import { DEMO_DEFAULTS, TASK_METHODS } from "../../dist/mazo.js";
import { LossChart } from "./chart.js";

const $ = (id) => document.getElementById(id);
const form = $("form");
const chart = new LossChart($("chart"));
const state = { events: [], frames: 0, worker: null, files: [], opfs: null, urls: [] };
window.mazoDemo = state;

for (const m of TASK_METHODS) form.elements.method.append(new Option(m, m));
const DEFAULTS = {
  model: "/data/stories260K/stories260K.bin",
  tokenizer: "/data/stories260K/tok512.bin",
  data: "/data",
  tasks: DEMO_DEFAULTS.tasks.join(","),
  steps: DEMO_DEFAULTS.steps,
  batch: DEMO_DEFAULTS.batch,
  train: DEMO_DEFAULTS.sizes.train,
  dev: DEMO_DEFAULTS.sizes.dev,
  test: DEMO_DEFAULTS.sizes.test,
  evalEvery: DEMO_DEFAULTS.evalEvery,
  lr: DEMO_DEFAULTS.lr,
  eps: DEMO_DEFAULTS.eps,
  seed: DEMO_DEFAULTS.seed,
  method: DEMO_DEFAULTS.method,
  keep: DEMO_DEFAULTS.keep,
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

/** The StartRequest: fineTune's options as plain data (the worker adds the GPU context, sink and signal). */
function request() {
  const picked = [...(form.elements.dataFiles.files ?? [])];
  const num = (k) => Number(form.elements[k].value);
  return {
    type: "start",
    model: fileRef("model", "modelFile"),
    tokenizer: fileRef("tokenizer", "tokenizerFile"),
    data: {
      tasks: form.elements.tasks.value.split(",").map((s) => s.trim()).filter(Boolean),
      sizes: { train: num("train"), dev: num("dev"), test: num("test") },
      from: picked.length > 0 ? { files: picked.map((file) => ({ path: file.webkitRelativePath || file.name, file })) } : { url: abs(form.elements.data.value) },
    },
    options: {
      method: form.elements.method.value,
      steps: num("steps"),
      batch: num("batch"),
      maxLen: Number(query.get("maxLen") ?? DEMO_DEFAULTS.maxLen),
      evalEvery: num("evalEvery"),
      trainer: { seed: num("seed"), lr: num("lr"), eps: num("eps") },
      mask: { keep: num("keep") },
    },
  };
}

function setState(s, message) {
  document.body.dataset.state = s;
  if (message !== undefined) $("status").textContent = message;
  $("start").disabled = s === "running" || s === "stopping";
  $("stop").disabled = s !== "running";
}

const pct = (a) => (Number.isFinite(a) ? `${(100 * a).toFixed(1)}%` : "n/a");
const cell = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });

/** The accuracy table from the "evaluation" events (EvalReport, src/train/evaluate.ts): a column per phase. */
function renderAccuracy() {
  const evals = state.events.filter((e) => e.type === "evaluation");
  const phases = ["before", "after", "best"].map((p) => evals.find((e) => e.phase === p)).filter(Boolean);
  $("accuracy").tHead.rows[0].replaceChildren(cell("th", "task"), ...phases.map((e) => cell("th", e.phase === "best" ? `best (step ${e.step})` : e.phase)));
  const tasks = Object.keys(phases[0]?.report.tasks ?? {});
  const rows = tasks.map((t) => [t, ...phases.map((e) => `${pct(e.report.tasks[t]?.accuracy)} (${e.report.tasks[t]?.test_n})`)]);
  if (tasks.length > 0) {
    rows.push(["average", ...phases.map((e) => pct(e.report.average))]);
    rows.push(["dev loss", ...phases.map((e) => (Number.isFinite(e.report.dev_loss) ? e.report.dev_loss.toFixed(4) : "n/a"))]);
  }
  $("accuracy").tBodies[0].replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    for (const c of cells) tr.append(cell("td", c));
    return tr;
  }));
}

function renderAdapter(e) {
  const items = [["adapter", e.info.description], ["vendor", e.info.vendor], ["architecture", e.info.architecture], ["path", e.path], ["software", e.info.software ? "yes (fallback)" : "no"], ...Object.entries(e.limits)];
  $("adapter").replaceChildren(...items.flatMap(([k, v]) => [cell("dt", k), cell("dd", String(v))]));
}

/** Download links for the run's files. */
function renderFiles(files) {
  for (const u of state.urls) URL.revokeObjectURL(u);
  state.urls = [];
  const names = Object.keys(files).sort();
  $("files").replaceChildren(...names.map((name) => {
    const url = URL.createObjectURL(new Blob([files[name]]));
    state.urls.push(url);
    return Object.assign(document.createElement("a"), { href: url, download: name.replaceAll("/", "_"), textContent: name });
  }));
  if (names.length === 0) $("files").textContent = "None.";
}

/** Saves the files under runs/<time>/ in the origin private file system; returns that folder, or null without OPFS. */
async function saveToOpfs(files) {
  if (navigator.storage?.getDirectory === undefined) return null;
  const folder = `runs/${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const root = await navigator.storage.getDirectory();
  for (const [name, bytes] of Object.entries(files)) {
    let dir = root;
    const parts = `${folder}/${name}`.split("/");
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
    const w = await (await dir.getFileHandle(parts.at(-1), { create: true })).createWritable();
    await w.write(bytes);
    await w.close();
  }
  return folder;
}

async function finished(e) {
  state.files = Object.keys(e.files);
  renderFiles(e.files);
  let where = "";
  try {
    state.opfs = await saveToOpfs(e.files);
    if (state.opfs !== null) where = `; files saved to OPFS ${state.opfs}/`;
  } catch (err) {
    where = `; OPFS save failed: ${err.message}`;
  }
  const done = state.events.find((x) => x.type === "done");
  const steps = state.events.filter((x) => x.type === "step").length;
  if (e.status === "done") finish("done", `Done in ${(done.result.wallMs / 1000).toFixed(1)} s${where}.`);
  else if (e.status === "stopped") finish("stopped", `Stopped after ${steps} steps${where}.`);
  else finish("error", `Error: ${e.message}`);
}

function onMessage(e) {
  state.events.push(e);
  switch (e.type) {
    case "adapter": renderAdapter(e); break;
    case "progress": $("status").textContent = e.message; break;
    case "warning": $("status").textContent = `warning: ${e.message}`; break;
    case "evaluation":
      renderAccuracy();
      if (e.phase === "before") chart.pushDev(0, e.report.dev_loss);
      break;
    case "step":
      chart.push(e.step, e.record.loss);
      if (e.devLoss !== undefined) chart.pushDev(e.step, e.devLoss);
      $("status").textContent = `step ${e.step}/${e.total}: loss ${e.record.loss.toFixed(4)}${e.devLoss !== undefined ? `, dev loss ${e.devLoss.toFixed(4)}` : ""}, ${e.stepsPerSec.toFixed(2)} steps/s`;
      break;
    case "done": $("status").textContent = `${e.result.description}: finished, collecting files`; break;
    case "finished": void finished(e); break;
  }
}

function finish(s, message) {
  state.worker?.terminate();
  state.worker = null;
  setState(s, message);
}

function start() {
  state.events = [];
  state.files = [];
  state.opfs = null;
  chart.clear();
  renderAccuracy();
  renderFiles({});
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (ev) => onMessage(ev.data);
  worker.onerror = (ev) => finish("error", `Error: ${ev.message || "the worker failed to start"}`);
  state.worker = worker;
  setState("running", "Starting the worker...");
  worker.postMessage(request());
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  start();
});
$("stop").addEventListener("click", () => {
  state.worker?.postMessage({ type: "stop" });
  setState("stopping", "Stopping after the current step...");
});
if (query.get("autostart") === "1") start();
