// The fine-tuning worker's message loop (serveFineTune) and runRequest, driven from Node on the Node
// GPU through a stand-in worker scope, with model and tokenizer fetched from the tests' 127.0.0.1
// server: a bad request is answered with an error naming the field; a run streams fineTune's events,
// refuses a second start, stops on "stop" with its files, and resumes from those files to the end.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { FinishedMessage, StartRequest, WorkerMessage } from "../../src/browser/protocol.ts";
import { runRequest } from "../../src/browser/run_request.ts";
import { serveFineTune } from "../../src/browser/worker_serve.ts";
import { gpuOrSkip } from "../harness/gpu.ts";
import { repoRoot, sharedDataDir } from "./chromium.ts";
import { startServer } from "./server.ts";

const ctx = await gpuOrSkip("worker_serve");
if (ctx !== null) {
  const server = await startServer(repoRoot(), sharedDataDir());
  const base = `${server.origin}/data/stories260K`;
  const start = (over: Partial<StartRequest> = {}): StartRequest => ({
    type: "start",
    model: { url: `${base}/stories260K.bin` },
    tokenizer: { url: `${base}/tok512.bin` },
    data: { texts: ["Lily and Tom went to the park. They were happy.", "Once upon a time there was a cat."] },
    options: { method: "mezo", steps: 4, batch: 2, maxLen: 32, checkpointEvery: 2, noWeights: true, trainer: { seed: 5, lr: 1e-4 } },
    ...over,
  });

  /** A stand-in for a worker's global scope: requests go in through send(), messages come out in `out`. */
  function fakeScope() {
    let listener: ((ev: MessageEvent) => void) | undefined;
    const out: WorkerMessage[] = [];
    let onPost: (m: WorkerMessage) => void = () => {};
    return {
      out,
      scope: {
        addEventListener: (_type: "message", l: (ev: MessageEvent) => void) => void (listener = l),
        postMessage: (m: unknown) => {
          out.push(m as WorkerMessage);
          onPost(m as WorkerMessage);
        },
      },
      send: (data: unknown) => listener!({ data } as MessageEvent),
      set onPost(f: (m: WorkerMessage) => void) {
        onPost = f;
      },
      finished: () => new Promise<FinishedMessage>((resolve) => {
        const prev = onPost;
        onPost = (m) => {
          prev(m);
          if (m.type === "finished" && m.status !== "error") resolve(m);
        };
      }),
    };
  }
  const text = (f: FinishedMessage, name: string) => new TextDecoder().decode(f.files[name]);

  const s = suite("serveFineTune / runRequest");
  s.after(() => server.close());

  s("runRequest answers a request without a model with an error naming the field, and no files", async () => {
    const bad = { ...start(), model: undefined } as unknown as StartRequest;
    const posted: WorkerMessage[] = [];
    const fin = await runRequest(bad, (m) => posted.push(m), { ctx });
    assert.is(fin.status, "error");
    assert.match(fin.message ?? "", /start request: model must be \{ url \} or \{ file, name \}, got undefined/);
    assert.equal(fin.files, {});
    assert.equal(posted, []);
  });

  s("an unknown request type is refused with a finished error message", () => {
    const w = fakeScope();
    serveFineTune(w.scope, { ctx });
    w.send({ type: "go" });
    assert.is(w.out.length, 1);
    const m = w.out[0]!;
    assert.ok(m.type === "finished" && m.status === "error");
    assert.match(m.message ?? "", /type must be "start" or "stop", got "go"/);
  });

  s("a run streams fineTune's events, refuses a second start, stops on \"stop\" with its files, and resumes from them", async () => {
    const w = fakeScope();
    serveFineTune(w.scope, { ctx });
    w.onPost = (m) => {
      if (m.type === "step" && m.step === 1) {
        w.send(start());
        w.send({ type: "stop" });
      }
    };
    const stopped = w.finished(); // after onPost is set: finished() chains onto it
    w.send(start());
    const fin = await stopped;
    assert.is(w.out[0]?.type, "adapter");
    const refused = w.out.find((m) => m.type === "finished" && m.status === "error");
    assert.match(refused?.type === "finished" ? refused.message ?? "" : "", /a run is already in progress/);
    assert.is(fin.status, "stopped");
    assert.match(fin.message ?? "", /stopped by a stop request/);
    const steps1 = w.out.flatMap((m) => (m.type === "step" ? [m] : []));
    assert.equal(steps1.map((m) => m.step), [1]);
    assert.not.ok(w.out.some((m) => m.type === "done"));
    assert.is(text(fin, "trajectory.jsonl").trimEnd().split("\n").length, 2, "header and step 1");
    assert.ok(fin.files["checkpoint.json"] !== undefined && fin.files["config.json"] !== undefined);

    // Resume from the stopped run's files: the checkpoint is at step 0, so steps 1..4 run (step 1 again, the same probe).
    const r = fakeScope();
    serveFineTune(r.scope, { ctx });
    const done = r.finished();
    r.send(start({ files: fin.files, options: { ...start().options, resume: true } }));
    const fin2 = await done;
    assert.is(fin2.status, "done", fin2.message);
    const steps2 = r.out.flatMap((m) => (m.type === "step" ? [m] : []));
    assert.equal(steps2.map((m) => m.step), [1, 2, 3, 4]);
    assert.equal(steps2[0]!.record.seeds, steps1[0]!.record.seeds);
    assert.is(steps2[0]!.record.lossPlus[0], steps1[0]!.record.lossPlus[0]);
    assert.is(text(fin2, "trajectory.jsonl").trimEnd().split("\n").length, 5);
    assert.is(r.out.at(-2)?.type, "done");
  });

  s.run();
}
