// Weight-decay rules of the full (MeZO) scope (issue 11): "mezo", the default, decays every tensor but
// the norms and biases, as MeZO's Trainer does; "matrices" decays the projections only. An update with
// coef 0 and decay 0.5 must halve exactly the tensors the rule names and leave the others bit-identical.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { canonicalTensors } from "../../src/model/canonical.ts";
import { ParamStore } from "../../src/model/param_store.ts";
import { createFullScope } from "../../src/zo/full_scope.ts";
import type { DecayRule } from "../../src/zo/weight_decay.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { loadStories } from "./zo_fixtures.ts";

const ctx = await gpuOrSkip("weight-decay rules");
if (ctx) {
  const { weights } = await loadStories();
  const kinds = canonicalTensors(weights.config).map((t) => t.kind);
  const s = suite("createFullScope() decay rules");
  for (const [rule, decayed] of [["mezo", ["matrix", "embedding"]], ["matrices", ["matrix"]], [undefined, ["matrix", "embedding"]]] as const) {
    s(`${rule ?? "default (mezo)"}: decays ${decayed.join(" and ")} tensors, leaves the rest bit-identical`, async () => {
      await withErrorScopes(ctx, async () => {
        const store = ParamStore.upload(ctx, weights);
        const scope = await createFullScope(ctx, store, rule === undefined ? {} : { decayRule: rule as DecayRule });
        try {
          const rec = new Recorder(ctx, "decay");
          scope.update(rec, 1, 0, 0.5);
          rec.submit();
          const after = await store.download(ctx);
          after.tensors.forEach((t, id) => {
            const before = weights.tensors[id]!.data;
            const want = (decayed as readonly string[]).includes(kinds[id]!);
            let moved = 0;
            for (let i = 0; i < t.data.length; i++) if (t.data[i] !== before[i]) moved++;
            if (want) {
              const i = before.findIndex((x) => x !== 0);
              assert.ok(Math.abs(t.data[i]! - 0.5 * before[i]!) <= 1e-6 * Math.abs(before[i]!), `${t.name}: ${before[i]} -> ${t.data[i]}, expected it halved`);
              assert.ok(moved > 0.9 * t.data.length, `${t.name} (${kinds[id]}) must be decayed`);
            } else {
              assert.is(moved, 0, `${t.name} (${kinds[id]}) must not be decayed`);
            }
          });
        } finally {
          scope.destroy();
          store.destroy(ctx);
        }
      });
    });
  }
  s("an unknown rule is a RangeError naming the valid ones", async () => {
    const store = ParamStore.upload(ctx, weights);
    try {
      await createFullScope(ctx, store, { decayRule: "all" as DecayRule });
      assert.unreachable("must throw");
    } catch (e) {
      assert.instance(e, RangeError);
      assert.match((e as Error).message, 'unknown decay rule "all"; valid: mezo, matrices');
    } finally {
      store.destroy(ctx);
    }
  });
  s.run();
  releaseAfterSuites(ctx);
}
