/**
 * Which token sequences MaZO calibration runs for a task's examples (see src/mazo/calibrate.ts): the
 * scoring sequences of src/tasks/encode.ts, chosen by `candidates`.
 */
import { encodeExample, type ScoringSequence, type Tokenizer } from "../tasks/encode.ts";
import type { Example } from "../tasks/example.ts";

/** Which candidate sequences of an example calibration runs. */
export type CalibrationCandidates = "loss" | "gold" | "all";

/** The candidate modes, for option parsing. */
export const CALIBRATION_CANDIDATES: readonly CalibrationCandidates[] = ["loss", "gold", "all"];

/** The sequences calibration runs for `examples` of task `task` (see the module doc for `candidates`). */
export function calibrationSequences(task: string, examples: readonly Example[], tokenizer: Tokenizer, candidates: CalibrationCandidates, maxLength: number): ScoringSequence[] {
  if (!CALIBRATION_CANDIDATES.includes(candidates)) throw new RangeError(`calibration: candidates is ${JSON.stringify(candidates)}; it must be one of ${CALIBRATION_CANDIDATES.join(", ")}`);
  const out: ScoringSequence[] = [];
  for (const ex of examples) {
    const goldOnly = candidates === "gold" || (candidates === "loss" && ex.objective === "lm");
    const enc = encodeExample(ex, tokenizer, { maxLength });
    if (goldOnly) out.push(enc.sequences[ex.label]!);
    else out.push(...enc.sequences);
  }
  return out;
}

