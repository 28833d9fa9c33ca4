/**
 * Shared pieces of the ZO tests: the stories260K model and tokenizer, bit comparison of weights, and a
 * small corpus of TinyStories-style sentences written for these tests (not drawn from any dataset): a
 * training list and a held-out list about the same characters and places, so that fitting one lowers the
 * loss on the other.
 */
import { join } from "node:path";
import { dataDir } from "../../src/io/files.ts";
import { tokenizerFromFile } from "../../src/io/tokenizer_file.ts";
import { loadModel } from "../../src/model/load.ts";
import type { HostWeights } from "../../src/model/weights.ts";
import type { Tokenizer } from "../../src/tokenizer/types.ts";

export const STORIES_DIR = join(dataDir(), "stories260K");

export async function loadStories(): Promise<{ weights: HostWeights; tokenizer: Tokenizer }> {
  const weights = (await loadModel(join(STORIES_DIR, "stories260K.bin"))).weights;
  const tokenizer = await tokenizerFromFile(join(STORIES_DIR, "tok512.bin"));
  return { weights, tokenizer };
}

/** A deep copy of host weights. */
export function cloneWeights(w: HostWeights): HostWeights {
  return { config: { ...w.config }, tensors: w.tensors.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() })) };
}

/** Number of f32 elements whose bits differ between two weight sets, and the largest |difference|. */
export function weightDiff(a: HostWeights, b: HostWeights): { differing: number; maxAbs: number; total: number } {
  let differing = 0, maxAbs = 0, total = 0;
  a.tensors.forEach((t, i) => {
    const u = b.tensors[i]!.data;
    const ab = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    const bb = new Uint32Array(u.buffer, u.byteOffset, u.length);
    for (let k = 0; k < ab.length; k++) {
      total++;
      if (ab[k] !== bb[k]) {
        differing++;
        maxAbs = Math.max(maxAbs, Math.abs(t.data[k]! - u[k]!));
      }
    }
  });
  return { differing, maxAbs, total };
}

const NAMES = ["Lily", "Tom", "Mia", "Ben", "Sue", "Max"];
const THINGS = ["red ball", "big kite", "small boat", "blue hat", "toy car", "green cup"];
const PLACES = ["park", "garden", "beach", "forest", "yard", "river"];
const FEELINGS = ["happy", "sad", "excited", "tired", "proud", "scared"];

/**
 * Sentences from four fixed templates over the lists above. Sentence i is combination
 * ((offset + i) * 1031) mod 5184 of (template, name, thing, place, feeling) in mixed radix; 1031 is prime
 * to 5184 = 4 * 6^4, so index ranges that do not overlap give disjoint sentences of the same style.
 */
export function storySentences(n: number, offset: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let k = ((offset + i) * 1031) % 5184;
    const pick = (list: readonly string[]): string => {
      const x = list[k % list.length]!;
      k = Math.floor(k / list.length);
      return x;
    };
    const name = pick(NAMES), thing = pick(THINGS), place = pick(PLACES), feel = pick(FEELINGS);
    switch (k % 4) {
      case 0: out.push(`${name} went to the ${place} with a ${thing}. ${name} was very ${feel}.`); break;
      case 1: out.push(`One day, ${name} found a ${thing} in the ${place}. It made ${name} feel ${feel}.`); break;
      case 2: out.push(`${name} liked to play at the ${place}. Mom gave ${name} a ${thing}, and ${name} was ${feel}.`); break;
      default: out.push(`Once upon a time, ${name} lost a ${thing} near the ${place}. ${name} felt ${feel}.`);
    }
  }
  return out;
}
