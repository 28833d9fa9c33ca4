// A complete browser-worker embed of mazo, using only the public bundle (dist/mazo.js): fineTune with a
// memory sink, its events posted to the page as they come, "stop" aborting between steps, and the run's
// files (trajectory.jsonl, metrics.jsonl, eval.json, model/...) posted at the end. The README's "In a
// browser worker" snippet is this file from the import on; test/browser/embed.test.ts runs the README's
// copy and checks this file holds it. Try it: node build/serve.mjs, then /examples/embed/index.html.
import { createGpuContext, fetchBytes, fineTune, loadTokenizer, memorySink, parseLlama2c } from "../../dist/mazo.js";

let stop; // the page: worker.postMessage({ model, tokenizer, data }) (URLs), later maybe "stop"
self.onmessage = async ({ data: msg }) => {
  if (msg === "stop") return stop?.abort();
  const ctx = await createGpuContext(), sink = memorySink();
  stop = new AbortController();
  try {
    await fineTune({
      ctx, sink, signal: stop.signal, onEvent: (e) => self.postMessage(e), // progress, step, evaluation, done
      model: { weights: parseLlama2c(await fetchBytes(msg.model)), name: msg.model },
      tokenizer: await loadTokenizer(await fetchBytes(msg.tokenizer)),
      data: { tasks: ["sst2", "copa"], dataDir: msg.data, sizes: { train: 8, dev: 4, test: 8 } },
      method: "mazo", steps: msg.steps ?? 20, batch: 4,
    });
  } catch (e) {
    self.postMessage({ type: "error", message: String(e) }); // also after "stop"
  } finally {
    self.postMessage({ type: "files", files: Object.fromEntries(sink.files) }); // trajectory.jsonl, eval.json, ...
    ctx.destroy();
  }
};
