// `mazo bench`: names the adapter and the model, prints one forward row per requested shape with a
// positive tokens/s, MeZO and MaZO step rows (a step takes about two forward passes or more), and the
// masked step kernels cost less than the full ones at keep 1%. Unknown benchmarks are usage errors.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { gpuOrSkip } from "../harness/gpu.ts";
import { median } from "../../src/bench/stats.ts";
import { parseShapes } from "../../src/bench/forward.ts";
import { cli } from "./spawn_cli.ts";

// Acquire the adapter before any suite runs: uvu reports the suites queued in one tick together.
const ctx = await gpuOrSkip("cli bench");

const helpers = suite("bench helpers");
helpers("median() of odd and even counts; parseShapes() reads BxT lists and rejects bad entries", () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
  assert.equal(parseShapes("1x64, 8x16"), [{ batch: 1, length: 64 }, { batch: 8, length: 16 }]);
  assert.throws(() => parseShapes("8x"), /expected <batch>x<length>/);
  assert.throws(() => parseShapes("0x64"), RangeError);
});
helpers.run();

if (ctx) {
  const adapter = ctx.info.description;
  ctx.destroy(); // the CLI makes its own
  const s = suite("mazo bench");
  s("forward, step and kernels report their numbers and the adapter", () => {
    const r = cli(["bench", "forward", "step", "kernels", "--shapes", "1x8,2x16", "--reps", "2", "--batch", "3", "--calib-n", "2", "--max-len", "48"]);
    assert.is(r.status, 0, r.out);
    assert.ok(r.stdout.includes(`adapter: ${adapter}`), `bench must name the adapter: ${r.stdout}`);
    for (const [shape, tokens] of [["1 x 8", 8], ["2 x 16", 32]] as const) {
      const m = new RegExp(`^${shape} +${tokens} +([0-9.]+) +([0-9]+)$`, "m").exec(r.stdout);
      assert.ok(m !== null, `no forward row for ${shape}: ${r.stdout}`);
      assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0);
    }
    for (const method of ["mezo", "mazo"]) {
      const m = new RegExp(`^${method} +[0-9,]+ +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)$`, "m").exec(r.stdout);
      assert.ok(m !== null, `no step row for ${method}: ${r.stdout}`);
      const [fwd, , step, ratio] = m.slice(1).map(Number) as [number, number, number, number];
      assert.ok(Math.abs(ratio - step / (2 * fwd)) < 0.01 * ratio + 1e-3, `${method}: ratio ${ratio} is not step / (2 forward) = ${step / (2 * fwd)}`);
    }
    const k = /masked \/ full: ([0-9.]+)/.exec(r.stdout);
    assert.ok(k !== null, r.stdout);
    // Speed is measured, never asserted (DEVELOPERS.md): only that a finite positive ratio was printed.
    assert.ok(Number(k[1]) > 0 && Number.isFinite(Number(k[1])), `masked/full kernel ratio must be a positive number: ${k[1]}`);
  });
  s("an unknown benchmark is a usage error listing the valid ones", () => {
    const r = cli(["bench", "speed"]);
    assert.is(r.status, 2, r.out);
    assert.match(r.out, "valid: forward, step, kernels");
  });
  s.run();
}
