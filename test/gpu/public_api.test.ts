// The high-level public API (src/index.ts) end to end on stories260K: fineTune into a memory sink,
// replay of the sink's trajectory (and masks) giving the run's model/ and adapter/ files byte for byte,
// evaluate reproducing the run's "after" report, generateText streaming, and the fingerprint check.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encodeHfFolder, encodePeftFolder, evaluate, type FineTuneOptions, fineTune, generate, generateText, LlamaModel, loadModel, loadTokenizer, memorySink, type MemorySink, ParamStore, replay } from "../../src/index.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { STORIES_DIR } from "./zo_fixtures.ts";

const ctx = await gpuOrSkip("public API");
if (ctx) {
  const model = await loadModel(`${STORIES_DIR}/stories260K.bin`);
  const tokenizer = await loadTokenizer(STORIES_DIR);
  const data = { tasks: ["sst2"], sizes: { train: 8, dev: 4, test: 4 } };
  const run = (method: "mazo" | "lora-mezo", sink: MemorySink): FineTuneOptions => ({ ctx, model, tokenizer, data, method, steps: 3, batch: 2, maxLen: 32, best: false, checkpointEvery: 0, trainer: { seed: 5 }, sink });
  const text = (s: MemorySink, name: string) => new TextDecoder().decode(s.files.get(name));
  const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

  const s = suite("public API");

  s("replay of a mazo run's trajectory + masks.json gives its model/model.safetensors byte for byte; evaluate gives its 'after'", async () => {
    const sink = memorySink();
    const result = await withErrorScopes(ctx, () => fineTune(run("mazo", sink)));
    const r = await withErrorScopes(ctx, () => replay({ ctx, model, trajectory: text(sink, "trajectory.jsonl"), masks: text(sink, "masks.json") }));
    assert.is(r.kind, "weights");
    assert.is(r.steps, 3);
    if (r.kind !== "weights") return;
    const file = encodeHfFolder(r.weights).get("model.safetensors")!;
    const bytes = new Uint8Array(file.reduce((n, p) => n + p.length, 0));
    file.reduce((o, p) => (bytes.set(p, o), o + p.length), 0);
    assert.ok(same(bytes, sink.files.get("model/model.safetensors")), "replayed weights differ from the trained model/");
    const report = await withErrorScopes(ctx, () => evaluate({ ctx, model: { weights: r.weights }, tokenizer, data, maxLen: 32, seed: 5 }));
    assert.equal(report, result.after, "evaluate on the replayed weights should reproduce the run's after report");
    const partial = await replay({ ctx, model, trajectory: text(sink, "trajectory.jsonl"), masks: text(sink, "masks.json"), steps: 0 });
    assert.ok(partial.kind === "weights" && partial.weights.tensors.every((t, i) => t.data.every((v, j) => v === model.weights.tensors[i]!.data[j])), "0 steps replays to the base weights");
  });

  s("replay of a lora-mezo run gives its adapter/adapter_model.safetensors byte for byte", async () => {
    const sink = memorySink();
    await withErrorScopes(ctx, () => fineTune(run("lora-mezo", sink)));
    const r = await withErrorScopes(ctx, () => replay({ ctx, model, trajectory: text(sink, "trajectory.jsonl") }));
    assert.is(r.kind, "adapter");
    if (r.kind !== "adapter") return;
    const parts = encodePeftFolder(model.config, r.adapter, model.name).get("adapter_model.safetensors")!;
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((o, p) => (bytes.set(p, o), o + p.length), 0);
    assert.ok(same(bytes, sink.files.get("adapter/adapter_model.safetensors")), "replayed adapter differs from the trained adapter/");
  });

  s("replay refuses a base model with another fingerprint unless forced, and masked runs without masks", async () => {
    const sink = memorySink();
    await fineTune({ ...run("lora-mezo", sink), steps: 1, skipBefore: true });
    const other = { weights: { ...model.weights, tensors: model.weights.tensors.map((t, i) => (i === 0 ? { ...t, data: t.data.map((v) => v * 2) } : t)) } };
    try {
      await replay({ ctx, model: other, trajectory: text(sink, "trajectory.jsonl") });
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match((e as Error).message, /fingerprint [0-9a-f]{16}.*trained from [0-9a-f]{16}/);
    }
    assert.is((await replay({ ctx, model: other, trajectory: text(sink, "trajectory.jsonl"), force: true })).kind, "adapter");
    const masked = memorySink();
    await fineTune({ ...run("mazo", masked), steps: 1, skipBefore: true });
    try {
      await replay({ ctx, model, trajectory: text(masked, "trajectory.jsonl") });
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.match((e as Error).message, /mazo run is replayed with the masks it trained with; pass masks/);
    }
  });

  s("generateText: greedy text equals generate()'s tokens decoded, and the streamed pieces add up to it", async () => {
    const pieces: string[] = [];
    const g = await generateText({ ctx, model, tokenizer, prompt: "Once upon a time", maxTokens: 12, onText: (d) => pieces.push(d) });
    assert.ok(g.tokens.length > 0 && g.tokens.length <= 12);
    assert.is(pieces.join(""), g.text);
    const lm = new LlamaModel(ctx, ParamStore.upload(ctx, model.weights));
    const ids = await generate(lm, g.promptTokens, { maxTokens: 12, temperature: 0 });
    lm.releaseActivations();
    lm.store.destroy(ctx);
    assert.equal(ids, [...g.tokens]);
    assert.is(g.text, tokenizer.decode([...g.promptTokens, ...ids]).slice(tokenizer.decode(g.promptTokens).length));
  });

  s.run();
  releaseAfterSuites(ctx);
}
