import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Recorder } from "../../src/gpu/recorder.ts";
import { readBuffers } from "../../src/gpu/tensor.ts";
import {
  createArenaPlan,
  perturbArena,
  perturbArenaExact,
  quantizeArena,
  readGridStatus,
  resetGridStatus,
  rngAgreement,
  updateArena,
  updateArenaExact,
} from "../../src/kernels/perturb.ts";
import {
  gridExponent as gridExponentRef,
  gridPerturbRef,
  gridQuantizeRef,
  gridUpdateRef,
  perturbArenaRef,
  REF_GRID_OFF_GRID,
  segmentOf,
  updateArenaRef,
} from "../../src/ref/perturb.ts";
import { zValue } from "../../src/ref/rng.ts";
import { GRID_OFF_GRID, gridExponent } from "../../src/zo/grid.ts";
import { gpuOrSkip, releaseAfterSuites, withErrorScopes } from "../harness/gpu.ts";
import { rngFor } from "../harness/random.ts";
import { arenaOf, assertBitEqual, makeScene, maxAbsDiff, readArena, refTable } from "./perturb_scene.ts";

const ctx = await gpuOrSkip("perturb");
if (ctx) {
  const s = suite("perturbArena() / updateArena()");
  const decay = (id: number) => id === 0 || id === 9 || id === 5;

  const r = suite("rngAgreement()");
  r("z on the device equals the TypeScript z bit for bit", async () => {
    await withErrorScopes(ctx, async () => {
      const cases: [number, number, number, number][] = [[0, 0, 0, 4099], [12345, 7, 1000, 3001], [0xffffffff, 0xffffffff, 2 ** 32 - 2500, 2500], [7, 65536, 123456789, 997]];
      for (const [seed, id, index0, count] of cases) {
        const r = await rngAgreement(ctx, seed, id, index0, count);
        assert.is(r.mismatches, 0, `seed ${seed} tensor ${id} indices ${index0}+${count}: ${r.mismatches} mismatches, max |diff| ${r.maxAbsDiff}`);
        assert.is(r.maxAbsDiff, 0);
      }
    });
  });

  s("perturbArena() matches the reference bit for bit on a 5-tensor arena with padding", async () => {
    const rng = rngFor("perturbArena");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "perturb.arena", rng, 0.02);
      const plan = createArenaPlan(ctx, scene.arena, { decay });
      const table = refTable(plan, { decay });
      const want = arenaOf(scene);
      const seed = rng.int(0, 2 ** 32 - 1);
      const rec = new Recorder(ctx, "test.perturb");
      for (const scale of [1e-3, -2e-3, 0.37]) {
        perturbArena(ctx, rec, plan, seed, scale);
        perturbArenaRef(want, table, seed, scale);
      }
      rec.submit();
      const got = await readArena(ctx, scene);
      assertBitEqual(got, want, `perturbArena seed ${seed}`);
      // The reference moved the segment elements (all but those with z = 0) and no padding element.
      const before = arenaOf(scene);
      let moved = 0, padMoved = 0;
      for (let i = 0; i < want.length; i++) {
        if (want[i] === before[i]) continue;
        if (segmentOf(table, i) >= 0) moved++;
        else padMoved++;
      }
      assert.ok(moved >= 850, `only ${moved} of 866 segment elements moved`);
      assert.is(padMoved, 0);
    });
  });

  s("updateArena() with weight decay on flagged tensors matches the reference bit for bit", async () => {
    const rng = rngFor("updateArena");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "update.arena", rng, 0.5);
      const plan = createArenaPlan(ctx, scene.arena, { decay });
      const table = refTable(plan, { decay });
      const want = arenaOf(scene);
      const rec = new Recorder(ctx, "test.update");
      for (let step = 0; step < 4; step++) {
        const seed = rng.int(0, 2 ** 32 - 1), coef = rng.normal() * 1e-2, dec = 1e-3 * rng.next();
        updateArena(ctx, rec, plan, seed, coef, dec);
        updateArenaRef(want, table, seed, coef, dec);
      }
      rec.submit();
      assertBitEqual(await readArena(ctx, scene), want, "updateArena");
    });
  });

  s("every element of a tensor split over two segments gets z of its flat index", async () => {
    const rng = rngFor("split");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "split.arena", rng, 0);
      // Zero the arena so that one perturbation by 1 leaves exactly z.
      const zero = new Float32Array(scene.arena.elems);
      const b = scene.arena.buffer;
      if (!("buffer" in b)) throw new Error("scene arena is a range");
      ctx.device.queue.writeBuffer(b.buffer, b.offset, zero);
      scene.initial.fill(0, 64, 64 + scene.arena.elems);
      const plan = createArenaPlan(ctx, scene.arena);
      const rec = new Recorder(ctx, "test.split");
      perturbArena(ctx, rec, plan, 99, 1);
      rec.submit();
      const got = await readArena(ctx, scene);
      // Tensor 5: [0, 130) at its first segment, [130, 211) at its second.
      const seg = (first: number) => {
        for (let r = 0; r < plan.nseg; r++) if (plan.table[r * 8] === 5 && plan.table[r * 8 + 3] === first) return plan.table[r * 8 + 1]!;
        throw new Error(`no segment of tensor 5 at ${first}`);
      };
      for (let i = 0; i < 211; i++) {
        const at = i < 130 ? seg(0) + i : seg(130) + i - 130;
        assert.is(got[at], zValue(99, 5, i), `tensor 5 index ${i}`);
      }
    });
  });

  s("float mode: +eps, -2eps, +eps drifts on N(0, 0.02) weights exactly as the reference says", async () => {
    const rng = rngFor("drift");
    await withErrorScopes(ctx, async () => {
      const n = 1 << 16;
      const initial = rng.normals(n, 0.02);
      const buffer = ctx.memory.createBuffer({ label: "drift.arena", size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }, "workspace");
      ctx.device.queue.writeBuffer(buffer, 0, initial);
      const plan = createArenaPlan(ctx, { label: "drift", buffer, elems: n, segments: new Uint32Array([4, 0, n, 0]) });
      const table = refTable(plan);
      const want = initial.slice();
      const eps = 1e-3, seed = rng.int(0, 2 ** 32 - 1);
      const rec = new Recorder(ctx, "test.drift");
      for (const k of [1, -2, 1]) {
        perturbArena(ctx, rec, plan, seed, k * eps);
        perturbArenaRef(want, table, seed, k * eps);
      }
      rec.submit();
      const got = await readBuffers(ctx, [buffer]);
      const g = new Float32Array(got[0]!);
      assertBitEqual(g, want, "drift");
      const drift = maxAbsDiff(g, initial);
      let changed = 0;
      for (let i = 0; i < n; i++) if (g[i] !== initial[i]) changed++;
      console.log(`restore drift, float mode, eps 1e-3, ${n} N(0, 0.02) weights: max |after - before| = ${drift.toExponential(3)}, ${changed} elements changed`);
      // A few ulps of the largest weights (2^-27 near 0.1): nonzero, which is why the exact mode exists.
      assert.ok(drift > 0 && drift <= 2 ** -25, `drift ${drift}`);
      ctx.memory.destroy(buffer);
    });
  });

  const e = suite("perturbArenaExact() / updateArenaExact() / quantizeArena()");
  e("exact mode: 20 MeZO steps restore every element bit-exactly and match the reference", async () => {
    const rng = rngFor("exact");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "exact.arena", rng, 0.02);
      const eps = 1e-3;
      const maxAbs = new Map<number, number>();
      const init = arenaOf(scene);
      // Grid per tensor from its largest value (any bound works; the padding is never touched).
      const plan0 = createArenaPlan(ctx, scene.arena);
      for (let r = 0; r < plan0.nseg; r++) {
        const [id, start, count] = [plan0.table[r * 8]!, plan0.table[r * 8 + 1]!, plan0.table[r * 8 + 2]!];
        for (let i = start; i < start + count; i++) maxAbs.set(id, Math.max(maxAbs.get(id) ?? 0, Math.abs(init[i]!)));
      }
      const plan = createArenaPlan(ctx, scene.arena, { decay, gridExp: (id) => gridExponent(maxAbs.get(id) ?? 0, eps) });
      const table = refTable(plan, { decay, gridExp: (id) => gridExponentRef(maxAbs.get(id) ?? 0, eps) });
      resetGridStatus(ctx, plan);
      const want = init.slice();
      let refStatus = gridQuantizeRef(want, table);
      const rec = new Recorder(ctx, "test.exact");
      quantizeArena(ctx, rec, plan);
      rec.submit();
      let got = await readArena(ctx, scene);
      assertBitEqual(got, want, "quantized");
      for (let step = 0; step < 20; step++) {
        const seed = rng.int(0, 2 ** 32 - 1);
        const before = got;
        perturbArenaExact(ctx, rec, plan, seed, eps, 1);
        perturbArenaExact(ctx, rec, plan, seed, eps, -2);
        rec.submit();
        const minus = await readArena(ctx, scene);
        perturbArenaExact(ctx, rec, plan, seed, eps, 1);
        rec.submit();
        got = await readArena(ctx, scene);
        assertBitEqual(got, before, `step ${step}: restore`);
        refStatus |= gridPerturbRef(want, table, seed, eps, 1) | gridPerturbRef(want, table, seed, eps, -2);
        assertBitEqual(minus, want, `step ${step}: theta - eps z`);
        refStatus |= gridPerturbRef(want, table, seed, eps, 1);
        const coef = rng.normal() * 1e-4, dec = 1e-5;
        updateArenaExact(ctx, rec, plan, seed, coef, dec);
        rec.submit();
        refStatus |= gridUpdateRef(want, table, seed, coef, dec);
        got = await readArena(ctx, scene);
        assertBitEqual(got, want, `step ${step}: update`);
      }
      assert.is(refStatus, 0);
      assert.is(await readGridStatus(ctx, plan), 0);
      const moved = maxAbsDiff(got, init);
      assert.ok(moved > 1e-6, `20 updates moved the weights by only ${moved}`);
    });
  });

  e("exact mode: one outlier weight does not freeze its tensor; an update of 1e-8 moves it as the reference does", async () => {
    const rng = rngFor("outlier");
    await withErrorScopes(ctx, async () => {
      const n = 1 << 16, eps = 1e-3, coef = 1e-8, seed = 777;
      const initial = rng.normals(n, 0.02);
      initial[4321] = 1;
      const buffer = ctx.memory.createBuffer({ label: "outlier.arena", size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }, "workspace");
      ctx.device.queue.writeBuffer(buffer, 0, initial);
      // The grid comes from the largest |value| (1): step 2^-22 = 2.4e-7, 24x the update.
      const plan = createArenaPlan(ctx, { label: "outlier", buffer, elems: n, segments: new Uint32Array([2, 0, n, 0]) }, { gridExp: () => gridExponent(1, eps) });
      const table = refTable(plan, { gridExp: () => gridExponentRef(1, eps) });
      resetGridStatus(ctx, plan);
      const want = initial.slice();
      gridQuantizeRef(want, table);
      const before = want.slice();
      gridUpdateRef(want, table, seed, coef, 0);
      const after = want.slice();
      for (const k of [1, -2, 1]) gridPerturbRef(want, table, seed + 1, eps, k);
      const rec = new Recorder(ctx, "test.outlier");
      quantizeArena(ctx, rec, plan);
      updateArenaExact(ctx, rec, plan, seed, coef, 0);
      rec.submit();
      const [raw] = await readBuffers(ctx, [buffer]);
      const got = new Float32Array(raw!);
      assertBitEqual(got, after, "outlier update");
      for (const k of [1, -2, 1]) perturbArenaExact(ctx, rec, plan, seed + 1, eps, k);
      rec.submit();
      const [raw2] = await readBuffers(ctx, [buffer]);
      assertBitEqual(new Float32Array(raw2!), after, "restore after the update");
      assertBitEqual(want, after, "reference restore after the update");
      let moved = 0, proj = 0, expect = 0;
      for (let i = 0; i < n; i++) {
        const z = zValue(seed, 2, i);
        if (got[i] !== before[i]) moved++;
        proj += (got[i]! - before[i]!) * z;
        expect += -coef * z * z;
      }
      console.log(`GPU exact mode, outlier tensor, update 1e-8: ${(100 * moved / n).toFixed(1)}% of ${n} entries moved, movement along the update / expected ${(proj / expect).toFixed(3)}`);
      assert.ok(moved > 0.02 * n, `only ${moved} of ${n} entries moved (round-to-nearest moves none)`);
      assert.ok(Math.abs(proj / expect - 1) < 0.15, `movement along the update is ${proj / expect} of the expected`);
      assert.is(await readGridStatus(ctx, plan), 0);
      ctx.memory.destroy(buffer);
    });
  });

  e("exact mode flags a perturbation of values that were not quantized", async () => {
    const rng = rngFor("offgrid");
    await withErrorScopes(ctx, async () => {
      const scene = makeScene(ctx, "offgrid.arena", rng, 0.02);
      const plan = createArenaPlan(ctx, scene.arena, { gridExp: () => -25 });
      const table = refTable(plan, { gridExp: () => -25 });
      resetGridStatus(ctx, plan);
      const want = arenaOf(scene);
      const rec = new Recorder(ctx, "test.offgrid");
      perturbArenaExact(ctx, rec, plan, 5, 1e-3, 1);
      rec.submit();
      assert.is(await readGridStatus(ctx, plan), GRID_OFF_GRID);
      assert.is(gridPerturbRef(want, table, 5, 1e-3, 1), REF_GRID_OFF_GRID);
      assertBitEqual(await readArena(ctx, scene), want, "off-grid perturbation");
    });
  });

  s("wrappers reject overlapping segments, segments past the arena, bad seeds and fractional k", () => {
    const buffer = ctx.memory.createBuffer({ label: "throws.arena", size: 400, usage: GPUBufferUsage.STORAGE }, "workspace");
    assert.throws(() => createArenaPlan(ctx, { label: "a", buffer, elems: 100, segments: new Uint32Array([0, 0, 50, 0, 1, 40, 10, 0]) }), /inside the previous segment/);
    assert.throws(() => createArenaPlan(ctx, { label: "a", buffer, elems: 100, segments: new Uint32Array([0, 90, 11, 0]) }), /past the arena/);
    assert.throws(() => createArenaPlan(ctx, { label: "a", buffer, elems: 101, segments: new Uint32Array([]) }), /4\*elems/);
    const plan = createArenaPlan(ctx, { label: "a", buffer, elems: 100, segments: new Uint32Array([0, 0, 100, 0]) });
    const rec = new Recorder(ctx, "test.throws");
    assert.throws(() => perturbArena(ctx, rec, plan, -1, 1e-3), /seed must be an integer/);
    assert.throws(() => perturbArena(ctx, rec, plan, 2 ** 32, 1e-3), /seed must be an integer/);
    assert.throws(() => updateArena(ctx, rec, plan, 1, NaN, 0), /coef must be finite/);
    assert.throws(() => perturbArenaExact(ctx, rec, plan, 1, 1e-3, 0.5), /k must be an integer/);
    ctx.memory.destroy(buffer);
  });

  r.run();
  s.run();
  e.run();
  releaseAfterSuites(ctx);
}
