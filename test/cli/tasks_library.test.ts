// The library side of task files, in process: fineTune's data.tasks takes a parsed task file
// ({ spec, baseDir }) read through a caller's own file reader (as a browser page hands over a picked
// file), next to a built-in name; the run's eval.json reports both, skipBad counts what it left out,
// and a task-list entry that is neither a name, a path nor a parsed spec is a TypeError naming it.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { TaskDataError } from "../../src/tasks/errors.ts";
import { readTextFile } from "../../src/tasks/read_text.ts";
import { parseTaskSpec } from "../../src/tasks/task_file.ts";
import { fineTune } from "../../src/train/fine_tune.ts";
import { resolveFineTune } from "../../src/train/options.ts";
import { memorySink } from "../../src/train/sink.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { loadStories } from "../gpu/zo_fixtures.ts";

const CSV = ["q,label", ...Array.from({ length: 20 }, (_, i) => `"is ${i} even, or odd?",${i % 2 === 0 ? "even" : "odd"}`), `"is x even?",maybe`].join("\n") + "\n";
const SPEC = { name: "parity", kind: "classification", data: { file: "parity.csv", split: { rule: "random", test: 4 } }, template: "{q} Answer:", label_field: "label", verbalizer: { even: " even", odd: " odd" } };

const ctx = await gpuOrSkip("tasks library");
if (ctx) {
  const { weights, tokenizer } = await loadStories();
  const s = suite("fineTune with parsed task files");
  const files: Record<string, string> = { "mem://tasks/parity.csv": CSV };
  const reads: string[] = [];
  // Built-in tasks still read the shared data; the parsed task's files come from the map.
  const read = (p: string) => {
    reads.push(p);
    if (p.startsWith("mem://")) return files[p] === undefined ? Promise.reject(new TaskDataError(p, 0, "not in the map")) : Promise.resolve(files[p]!);
    return readTextFile(p);
  };

  s("a parsed spec with its own reader trains next to sst2; eval.json has both and the skipped count", async () => {
    const spec = parseTaskSpec(SPEC, "parity.json");
    const sink = memorySink();
    const warnings: string[] = [];
    const r = await withErrorScopes(ctx, () =>
      fineTune({
        ctx,
        model: { weights, name: "stories260K" },
        tokenizer,
        data: { tasks: ["sst2", { spec, baseDir: "mem://tasks" }], sizes: { train: 4, dev: 2, test: 3 }, read, skipBad: true },
        method: "mezo",
        steps: 2,
        batch: 2,
        maxLen: 48,
        evalEvery: 2,
        checkpointEvery: 0,
        sink,
        noWeights: true,
        onEvent: (e) => {
          if (e.type === "warning") warnings.push(e.message);
        },
      })
    );
    assert.equal(Object.keys(r.after!.tasks), ["sst2", "parity"]);
    assert.is(r.after!.tasks.parity!.test_n, 3);
    assert.ok(reads.includes("mem://tasks/parity.csv"), reads.join(", "));
    const ev = JSON.parse(new TextDecoder().decode(sink.files.get("eval.json"))) as { tasks: string[]; skipped_records?: Record<string, number> };
    assert.equal(ev.tasks, ["sst2", "parity (parity.json)"]);
    assert.equal(ev.skipped_records, { parity: 1 });
    assert.match(warnings.join("\n"), /task parity: left out 1 record that cannot be used \(skipBad\); first: mem:\/\/tasks\/parity\.csv line 22: field "label": value "maybe"/);
  });

  s("a task-list entry that is not a name, path or parsed spec is a TypeError naming it", () => {
    const base = { ctx, model: { weights }, tokenizer };
    assert.throws(() => resolveFineTune({ ...base, data: { tasks: [{ name: "x" } as never] } }), (e: unknown) => e instanceof TypeError && /data\.tasks entries must be task names, task-file paths or \{spec, baseDir\} objects/.test((e as Error).message));
    assert.throws(() => resolveFineTune({ ...base, data: { tasks: ["sst2", "sst2"] } }), /lists a task twice: sst2,sst2/);
  });

  s.run();
  releaseAfterSuites(ctx);
}
