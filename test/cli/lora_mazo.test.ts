// `mazo train --tasks --method lora-mazo`: LoRA adapters trained through a mask over B's rows. A short run
// changes the adapter, leaves every B row outside the mask at zero (bit-exactly), saves the mask in
// masks.json, and a run killed with SIGKILL and resumed ends with the uninterrupted run's adapter, bit for bit.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loraMaskName } from "../../src/train/target.ts";
import { parseMaskFile } from "../../src/train/mask_file.ts";
import { initHostLora } from "../../src/lora/lora.ts";
import { loadModel } from "../../src/model/load.ts";
import { readPeftAdapter } from "../../src/cli/run_folder.ts";
import { gpuOrSkip } from "../harness/gpu.ts";
import { cli, TINY } from "./spawn_cli.ts";

const ctx = await gpuOrSkip("cli lora-mazo");
if (ctx) {
  ctx.destroy(); // the CLI makes its own
  const s = suite("mazo train --method lora-mazo");
  const dir = mkdtempSync(join(tmpdir(), "mazo-lora-mazo-"));
  const args = [...TINY, "--method", "lora-mazo", "--keep", "0.25", "--lr", "1e-2", "--lora-targets", "wq,wv,w2"];

  s("a short run trains A and the kept rows of B; B rows outside the mask stay exactly zero", async () => {
    const r = cli(["train", ...args, "--out", join(dir, "full")]);
    assert.is(r.status, 0, r.out);
    const base = (await loadModel(JSON.parse(readFileSync(join(dir, "full", "config.json"), "utf8")).model as string)).weights;
    const host = readPeftAdapter(join(dir, "full", "adapter"), base.config);
    const init = initHostLora(base.config, { ...host.config, seed: 7 });
    const masks = parseMaskFile(readFileSync(join(dir, "full", "masks.json"), "utf8"));
    assert.is(masks.method, "lora-mazo");
    let keptRowsNonzero = 0, aChanged = 0, bRowsOutside = 0;
    host.entries.forEach((e, k) => {
      const bMask = masks.masks.get(loraMaskName(e, "B"));
      assert.ok(bMask !== undefined, `masks.json has no mask for ${loraMaskName(e, "B")}`);
      const r = host.config.rank;
      const kept = new Set(Array.from(bMask.indices, (i) => Math.floor(i / r)));
      assert.is(kept.size, Math.max(1, Math.round(0.25 * e.outDim)), `${e.weight}: kept rows of B`);
      const b = host.b[k]!;
      for (let row = 0; row < e.outDim; row++) {
        const nonzero = b.subarray(row * r, (row + 1) * r).some((x) => x !== 0);
        if (kept.has(row)) keptRowsNonzero += nonzero ? 1 : 0;
        else {
          bRowsOutside++;
          assert.ok(!nonzero, `${e.weight}: B row ${row} is outside the mask but moved`);
        }
      }
      const a = host.a[k]!, a0 = init.a[k]!;
      for (let i = 0; i < a.length; i++) if (a[i] !== a0[i]) aChanged++;
    });
    assert.ok(bRowsOutside > 0, "the mask should leave some B rows out at keep 0.25");
    assert.ok(keptRowsNonzero > 0, "no kept B row moved: the run did not train");
    assert.ok(aChanged > 0, "A did not move: the run did not train");
  });

  s("SIGKILL after step 3 and --resume give the uninterrupted run's adapter bit for bit", () => {
    const killed = cli(["train", ...args, "--out", join(dir, "cut")], { MAZO_KILL_AFTER_STEP: "3" });
    assert.is(killed.signal, "SIGKILL", `expected the run to die by SIGKILL: ${killed.status} ${killed.out}`);
    const resumed = cli(["train", "--resume", join(dir, "cut"), "--quiet"]);
    assert.is(resumed.status, 0, resumed.out);
    const a = readFileSync(join(dir, "full", "adapter", "adapter_model.safetensors"));
    const b = readFileSync(join(dir, "cut", "adapter", "adapter_model.safetensors"));
    assert.ok(a.equals(b), "resumed adapter differs from the uninterrupted run's");
    assert.ok(readFileSync(join(dir, "full", "masks.json")).equals(readFileSync(join(dir, "cut", "masks.json"))), "masks.json differs");
    assert.equal(JSON.parse(readFileSync(join(dir, "cut", "eval.json"), "utf8")).after, JSON.parse(readFileSync(join(dir, "full", "eval.json"), "utf8")).after);
  });

  s.after(() => rmSync(dir, { recursive: true, force: true }));
  s.run();
}
