/** Exact match and token F1 with MeZO's (SQuAD's) answer normalisation, on hand-computed cases. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { answerF1, exactMatch, normalizeAnswer, predictionText } from "../../src/tasks/generation_metrics.ts";

const s = suite("generation metrics");
s("normalizeAnswer lower-cases and removes punctuation, articles and extra whitespace", () => {
  assert.is(normalizeAnswer("  The Eiffel-Tower,  in PARIS! "), "eiffeltower in paris");
  assert.is(normalizeAnswer("an apple a day"), "apple day");
  assert.is(normalizeAnswer("theatre"), "theatre");
});
s("exactMatch is 1 when any normalised answer equals the prediction", () => {
  assert.is(exactMatch("the Paris.", ["paris"]), 1);
  assert.is(exactMatch("Paris, France", ["Paris", "in Paris"]), 0);
  assert.is(exactMatch("in Paris", ["Paris", "in Paris"]), 1);
});
s("answerF1 is the best token-overlap F1 over the answers", () => {
  // "red big ball" vs "big red ball": 3 common tokens -> 1; vs "ball": p 1/3, r 1 -> 0.5
  assert.is(answerF1("red big ball", ["big red ball"]), 1);
  assert.ok(Math.abs(answerF1("red big ball", ["ball"]) - 0.5) < 1e-12);
  // repeated tokens count with multiplicity: "a a b" -> tokens [b] after articles; "b b" vs "b": p 1/2, r 1 -> 2/3
  assert.ok(Math.abs(answerF1("b b", ["b"]) - 2 / 3) < 1e-12);
  assert.is(answerF1("nothing", ["else", "other"]), 0);
  assert.is(answerF1("no answer", ["no answer"]), 1);
  assert.is(answerF1("no", ["CANNOTANSWER"]), 0);
});
s("predictionText cuts at the stop string and trims", () => {
  assert.is(predictionText(" red\nQuestion: more", "\n"), "red");
  assert.is(predictionText(" red ball ", "\n"), "red ball");
});
s("empty answer lists are RangeErrors", () => {
  assert.throws(() => exactMatch("x", []), RangeError);
  assert.throws(() => answerF1("x", []), RangeError);
});
s.run();
