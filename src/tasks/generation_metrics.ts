/**
 * Exact match and token F1 of a generated answer against the acceptable answers, as MeZO computes them
 * for SQuAD and DROP (large_models/metrics.py, after the SQuAD evaluation script): both sides are
 * normalised (lower-cased; ASCII punctuation removed; the articles a/an/the removed; whitespace
 * collapsed), EM is whether any answer equals the prediction, F1 the best token-overlap F1 over the
 * answers. As in MeZO, a first answer "CANNOTANSWER" or "no answer" is scored by exact match only.
 */

const PUNCT = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** MeZO's normalize_answer: lower, remove punctuation, remove articles, collapse whitespace. */
export function normalizeAnswer(s: string): string {
  let t = "";
  for (const ch of s.toLowerCase()) if (!PUNCT.has(ch)) t += ch;
  t = t.replace(/\b(a|an|the)\b/g, " ");
  return t.split(/\s+/).filter((w) => w !== "").join(" ");
}

/** Whether the normalised prediction equals any normalised answer (1 or 0). */
export function exactMatch(prediction: string, answers: readonly string[]): number {
  if (answers.length === 0) throw new RangeError("exactMatch(): no acceptable answers");
  const p = normalizeAnswer(prediction);
  return answers.some((a) => normalizeAnswer(a) === p) ? 1 : 0;
}

function tokenF1(prediction: string, answer: string): number {
  const p = normalizeAnswer(prediction).split(" ").filter((w) => w !== "");
  const g = normalizeAnswer(answer).split(" ").filter((w) => w !== "");
  const counts = new Map<string, number>();
  for (const w of g) counts.set(w, (counts.get(w) ?? 0) + 1);
  let same = 0;
  for (const w of p) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      same++;
      counts.set(w, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The best token F1 of the prediction over the answers (MeZO's f1). */
export function answerF1(prediction: string, answers: readonly string[]): number {
  if (answers.length === 0) throw new RangeError("answerF1(): no acceptable answers");
  const first = answers[0]!;
  if (first === "CANNOTANSWER" || first === "no answer") return normalizeAnswer(first) === normalizeAnswer(prediction) ? 1 : 0;
  let best = 0;
  for (const a of answers) best = Math.max(best, tokenF1(prediction, a));
  return best;
}

/** The decoded text as a prediction: cut at the stop string, then trimmed (MeZO strips the output). */
export function predictionText(decoded: string, stop: string): string {
  const i = stop === "" ? -1 : decoded.indexOf(stop);
  return (i < 0 ? decoded : decoded.slice(0, i)).trim();
}
