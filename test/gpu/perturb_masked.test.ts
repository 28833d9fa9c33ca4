import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import {
  createArenaPlan,
  createMaskPlan,
  createMaskSave,
  perturbArena,
  perturbMasked,
  restoreMasked,
  saveMasked,
  updateArena,
  updateMasked,
} from "../../src/kernels/perturb.ts";
import { maskPositionsRef, perturbMaskedRef, updateMaskedRef } from "../../src/ref/perturb.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { type Rng, rngFor } from "../harness/random.ts";
import { arenaOf, assertBitEqual, makeScene, readArena, refTable } from "./perturb_scene.ts";

/** A random sorted mask keeping about `keep` of each tensor's indices (at least one, tensor 5 across both segments). */
function randomMasks(rng: Rng, sizes: ReadonlyMap<number, number>, keep: number): Map<number, Uint32Array> {
  const masks = new Map<number, Uint32Array>();
  for (const [id, n] of sizes) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (rng.next() < keep) idx.push(i);
    if (idx.length === 0) idx.push(rng.int(0, n - 1));
    if (id === 5 && !idx.some((i) => i >= 130)) idx.push(210);
    masks.set(id, Uint32Array.from(idx));
  }
  return masks;
}

function fullMasks(sizes: ReadonlyMap<number, number>): Map<number, Uint32Array> {
  return new Map([...sizes].map(([id, n]) => [id, Uint32Array.from({ length: n }, (_, i) => i)]));
}

const ctx = await gpuOrSkip("perturb_masked");
if (ctx) {
  const s = suite("perturbMasked() / updateMasked() / saveMasked() / restoreMasked()");
  const decay = (id: number) => id !== 1;

  s("masked perturbation and update match the reference and leave unlisted elements bit-identical", async () => {
    const rng = rngFor("masked");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "masked.arena", rng, 0.02);
      const plan = createArenaPlan(ctx, scene.arena, { decay });
      const masks = randomMasks(rng, scene.sizes, 0.1);
      const mask = createMaskPlan(ctx, plan, masks);
      const table = refTable(plan, { decay });
      const positions = maskPositionsRef(table, masks);
      assert.equal([...mask.positions], [...positions], "mask positions: production vs reference");
      const want = arenaOf(scene);
      const seed = rng.int(0, 2 ** 32 - 1);
      const rec = new Recorder(ctx, "test.masked");
      perturbMasked(ctx, rec, mask, seed, 1e-3);
      perturbMaskedRef(want, table, positions, seed, 1e-3);
      updateMasked(ctx, rec, mask, seed, 3e-3, 1e-2);
      updateMaskedRef(want, table, positions, seed, 3e-3, 1e-2);
      rec.submit();
      const got = await readArena(ctx, scene);
      assertBitEqual(got, want, "masked");
      const before = arenaOf(scene), listed = new Set(mask.positions);
      let changedListed = 0;
      for (let i = 0; i < got.length; i++) {
        if (!listed.has(i)) assert.ok(Object.is(got[i], before[i]), `unlisted element ${i} changed`);
        else if (got[i] !== before[i]) changedListed++;
      }
      assert.ok(changedListed >= mask.count - 2, `only ${changedListed} of ${mask.count} listed elements changed`);
    });
  });

  s("a mask listing every element reproduces perturbArena() and updateArena() bit for bit", async () => {
    const rng = rngFor("fullmask");
    await withErrorScopes(ctx, async () => {
      const a = makeScene(ctx, "fullmask.a", rng, 0.02);
      const b = makeScene(ctx, "fullmask.b", rng, 0.02);
      ctx.device.queue.writeBuffer("buffer" in b.arena.buffer ? b.arena.buffer.buffer : b.arena.buffer, 0, a.initial);
      const planA = createArenaPlan(ctx, a.arena, { decay });
      const planB = createArenaPlan(ctx, b.arena, { decay });
      const mask = createMaskPlan(ctx, planB, fullMasks(b.sizes));
      assert.is(mask.count, 866);
      const rec = new Recorder(ctx, "test.fullmask");
      const seed = rng.int(0, 2 ** 32 - 1);
      perturbArena(ctx, rec, planA, seed, 1e-3);
      perturbMasked(ctx, rec, mask, seed, 1e-3);
      updateArena(ctx, rec, planA, seed, -2e-3, 5e-3);
      updateMasked(ctx, rec, mask, seed, -2e-3, 5e-3);
      rec.submit();
      const gotA = await readArena(ctx, a);
      b.initial.set(a.initial);
      assertBitEqual(await readArena(ctx, b), gotA, "full mask vs unmasked");
    });
  });

  s("save, +eps, -2eps, restore returns the masked entries bit-exactly", async () => {
    const rng = rngFor("saverestore");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "restore.arena", rng, 0.02);
      const plan = createArenaPlan(ctx, scene.arena);
      const mask = createMaskPlan(ctx, plan, randomMasks(rng, scene.sizes, 0.3));
      const saved = createMaskSave(ctx, mask);
      const rec = new Recorder(ctx, "test.restore");
      for (let step = 0; step < 5; step++) {
        const seed = rng.int(0, 2 ** 32 - 1);
        saveMasked(ctx, rec, mask, saved);
        perturbMasked(ctx, rec, mask, seed, 1e-3);
        perturbMasked(ctx, rec, mask, seed, -2e-3);
        restoreMasked(ctx, rec, mask, saved);
      }
      rec.submit();
      assertBitEqual(await readArena(ctx, scene), arenaOf(scene), "after 5 save/perturb/restore cycles");
    });
  });

  s("mask plans reject unsorted, duplicate and uncovered indices and a short save buffer", () => {
    const rng = rngFor("maskthrows");
    const scene = makeScene(ctx, "maskthrows.arena", rng, 1);
    const plan = createArenaPlan(ctx, scene.arena);
    assert.throws(() => createMaskPlan(ctx, plan, new Map([[0, new Uint32Array([3, 2])]])), /strictly increasing/);
    assert.throws(() => createMaskPlan(ctx, plan, new Map([[0, new Uint32Array([3, 3])]])), /strictly increasing/);
    assert.throws(() => createMaskPlan(ctx, plan, new Map([[0, new Uint32Array([257])]])), /lies in no segment/);
    assert.throws(() => createMaskPlan(ctx, plan, new Map([[42, new Uint32Array([0])]])), /lies in no segment/);
    const mask = createMaskPlan(ctx, plan, fullMasks(scene.sizes));
    const small = ctx.memory.createBuffer({ label: "small", size: 64, usage: GPUBufferUsage.STORAGE }, "workspace");
    assert.throws(() => saveMasked(ctx, new Recorder(ctx, "t"), mask, small), /masked values need/);
  });

  s.run();
  releaseAfterSuites(ctx);
}
