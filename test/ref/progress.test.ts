// The progress line's rate and ETA come from the training time the pipeline measured (issue 14: the
// demo's first line said "ETA 735 min", because loading and the first evaluation counted as step 1).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Progress } from "../../src/report/progress.ts";

const s = suite("Progress");
s("uses the measured steps/s for the rate and the ETA, from the first step on", async () => {
  const lines: string[] = [];
  const p = new Progress({ total: 200, label: "mazo", tty: false, quiet: false, write: (t) => lines.push(t) });
  await new Promise((r) => setTimeout(r, 300)); // loading and evaluating before step 1
  p.update(1, { loss: 1.5 }, 0.5);
  assert.match(lines[0] ?? "", "mazo step 1/200  loss 1.5000  0.50 steps/s  ETA 6m38s");
  lines.length = 0;
  p.update(200, { loss: 1.2 });
  assert.match(lines[0] ?? "", /step 200\/200 .* ETA /, "without a measured rate it falls back to wall time");
});
s.run();
