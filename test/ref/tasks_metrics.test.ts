/** Predictions, accuracy and losses on hand-computed cases. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { accuracyByTask, classificationLoss, exampleLoss, lmLoss, predict } from "../../src/tasks/metrics.ts";

const close = (got: number, want: number, tol = 1e-12) => assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `got ${got}, want ${want}`);

const pred = suite("predict()");
pred("picks the largest mean log-probability", () => {
  assert.is(predict([-3, -0.5, -2]), 1);
  assert.is(predict([-Infinity, -40]), 1);
  assert.is(predict(Float64Array.of(-1)), 0);
});
pred("ties go to the lowest index", () => {
  assert.is(predict([-1, -0.5, -0.5]), 1);
  assert.is(predict([-2, -2, -2]), 0);
});
pred("NaN scores and empty inputs are rejected", () => {
  assert.throws(() => predict([-1, NaN]), /candidate score 1 is NaN/);
  assert.throws(() => predict([]), /no candidate scores/);
});
pred.run();

const loss = suite("classificationLoss() and lmLoss()");
loss("cross-entropy over candidate means: means [0, ln 3], gold 1 -> ln(4/3); gold 0 -> ln 4", () => {
  close(classificationLoss([0, Math.log(3)], 1), Math.log(4 / 3));
  close(classificationLoss([0, Math.log(3)], 0), Math.log(4));
});
loss("equal means give ln(number of candidates)", () => {
  close(classificationLoss([-7, -7, -7], 2), Math.log(3));
});
loss("stays finite and exact for large magnitudes: [-1000, -1001] gold 0 -> ln(1 + e^-1)", () => {
  close(classificationLoss([-1000, -1001], 0), Math.log1p(Math.exp(-1)));
  close(classificationLoss([-1000, -1001], 1), 1 + Math.log1p(Math.exp(-1)));
});
loss("labels outside the candidates are rejected", () => {
  assert.throws(() => classificationLoss([0, 1], 2), /label 2 is outside \[0, 2\)/);
  assert.throws(() => classificationLoss([0, 1], 0.5), /label 0.5/);
});
loss("lmLoss is the gold candidate's mean NLL", () => {
  close(lmLoss({ sum: -6, count: 3, mean: -2 }), 2);
  assert.throws(() => lmLoss({ sum: 0, count: 0, mean: NaN }), /0 scored tokens/);
});
loss("exampleLoss uses cross-entropy for classification and the gold NLL for lm", () => {
  const scores = [{ sum: -2, count: 2, mean: -1 }, { sum: -0.9, count: 3, mean: -0.3 }];
  close(exampleLoss("classification", scores, 0), classificationLoss([-1, -0.3], 0));
  close(exampleLoss("lm", scores, 0), 1);
  close(exampleLoss("lm", scores, 1), 0.3);
});
loss.run();

const acc = suite("accuracyByTask()");
acc("per-task accuracy and the unweighted average over tasks", () => {
  const r = accuracyByTask([
    { task: "a", prediction: 1, label: 1 },
    { task: "b", prediction: 0, label: 0 },
    { task: "a", prediction: 0, label: 1 },
    { task: "a", prediction: 2, label: 2 },
  ]);
  assert.equal(Object.keys(r.tasks), ["a", "b"]);
  assert.equal(r.tasks.a, { correct: 2, total: 3, accuracy: 2 / 3 });
  assert.equal(r.tasks.b, { correct: 1, total: 1, accuracy: 1 });
  close(r.average, 5 / 6);
});
acc("no predictions give no tasks and a NaN average", () => {
  const r = accuracyByTask([]);
  assert.equal(r.tasks, {});
  assert.ok(Number.isNaN(r.average));
});
acc.run();
