// The CPU reference forward reproduces llama2.c run.c on the real stories260K checkpoint (golden.json).
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir, readBytes } from "../../src/io/files.ts";
import { parseLlama2c } from "../../src/model/llama2c.ts";
import { forwardRef, greedyRef, nllRef, RefDecoder } from "../../src/ref/forward.ts";
import { assertClose, maxRelErr } from "../harness/compare.ts";

interface Golden {
  logits_pos0_after_bos: number[];
  logits_after_prompt: { prompt_ids: number[]; logits_last: number[]; argmax: number };
  teacher_forced_nll: { ids_with_bos: number[]; mean_nll_nats: number };
  greedy_from_bos: { steps: number; ids: number[] };
}

const dir = join(dataDir(), "stories260K");
const golden = JSON.parse(new TextDecoder().decode(readBytes(join(dir, "golden.json")))) as Golden;
const w = parseLlama2c(readBytes(join(dir, "stories260K.bin")));
const V = w.config.vocabSize;
const verbose = (msg: string): void => {
  if (process.env.MAZO_TEST_VERBOSE === "1") console.log(msg);
};

const s = suite("forwardRef() on stories260K");

s("logits at position 0 after BOS match golden.json to 1e-4 relative", () => {
  const got = forwardRef(w, [w.config.bosId]);
  const want = golden.logits_pos0_after_bos;
  verbose(`pos0 max rel err ${maxRelErr(got, want).toExponential(3)}`);
  assertClose(got, want, { atol: 0, rtol: 1e-4, label: "logits_pos0_after_bos" });
});

s("last logits after 'Once upon a time' match golden.json to 1e-4 relative", () => {
  const ids = golden.logits_after_prompt.prompt_ids;
  const all = forwardRef(w, ids);
  const got = all.subarray((ids.length - 1) * V);
  verbose(`prompt max rel err ${maxRelErr(got, golden.logits_after_prompt.logits_last).toExponential(3)}`);
  assertClose(got, golden.logits_after_prompt.logits_last, { atol: 0, rtol: 1e-4, label: "logits_after_prompt" });
  let best = 0;
  for (let i = 1; i < V; i++) if (got[i]! > got[best]!) best = i;
  assert.is(best, golden.logits_after_prompt.argmax);
});

s("every row of forwardRef equals one-token-at-a-time decoding", () => {
  const ids = golden.logits_after_prompt.prompt_ids;
  const all = forwardRef(w, ids);
  const dec = new RefDecoder(w);
  ids.forEach((t, i) => assertClose(dec.step(t), all.subarray(i * V, (i + 1) * V), { atol: 0, rtol: 0, label: `row ${i}` }));
});

s("teacher-forced mean NLL matches golden.json to 1e-4", () => {
  const got = nllRef(w, golden.teacher_forced_nll.ids_with_bos);
  verbose(`nll ${got} vs ${golden.teacher_forced_nll.mean_nll_nats} (|diff| ${Math.abs(got - golden.teacher_forced_nll.mean_nll_nats).toExponential(3)})`);
  assert.ok(Math.abs(got - golden.teacher_forced_nll.mean_nll_nats) <= 1e-4, `mean NLL ${got}, golden ${golden.teacher_forced_nll.mean_nll_nats}`);
});

s("200 greedy tokens from BOS equal golden.json's ids", () => {
  const got = greedyRef(w, golden.greedy_from_bos.steps);
  assert.equal(got, golden.greedy_from_bos.ids);
});

s("greedy decoding with a prompt continues the prompt's argmax", () => {
  const ids = golden.logits_after_prompt.prompt_ids;
  const got = greedyRef(w, 3, ids);
  assert.is(got[0], golden.logits_after_prompt.argmax);
  assert.equal(got, golden.greedy_from_bos.ids.slice(ids.length - 1, ids.length + 2));
});

s("a perturbed weight changes the logits (the comparison can fail)", () => {
  const wq = w.tensors.find((t) => t.name === "layers.0.wq")!;
  const saved = wq.data[0]!;
  wq.data[0] = saved + 0.5;
  try {
    const got = forwardRef(w, golden.logits_after_prompt.prompt_ids).subarray(4 * V);
    assert.throws(() => assertClose(got, golden.logits_after_prompt.logits_last, { atol: 0, rtol: 1e-4, label: "perturbed" }), /outside/);
  } finally {
    wq.data[0] = saved;
  }
});

s("nllRef and forwardRef reject out-of-range tokens", () => {
  assert.throws(() => forwardRef(w, [V]), /outside \[0, 512\)/);
  assert.throws(() => nllRef(w, [1]), /at least 2 tokens/);
});

s.run();
