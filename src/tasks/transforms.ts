/**
 * Named text transforms a task file applies to derive fields (`"derive": {"question": {"from":
 * "question", "apply": ["ensure-suffix:?", "capitalize"]}}`). Each is a pure string function; the set is
 * small and closed (an unknown name is an error listing the known ones):
 *   trim                  whitespace off both ends
 *   lowercase, uppercase  the whole text
 *   capitalize            the first character upper-cased (MeZO's question normalisation)
 *   lowercase-first-word  the first space-separated word lower-cased unless it is "I" (MeZO's COPA choices)
 *   ensure-suffix:<s>     append <s> unless the text already ends with it (e.g. "?")
 *   strip-suffix:<s>      remove one trailing <s> (e.g. COPA's final ".")
 *   collapse-spaces       runs of whitespace to one space, trimmed
 *   agnews-debris         undo AG News' escape debris ("\" breaks, "#39;", "quot;", "&lt;", ...), collapse spaces
 */

/** A validated transform: a name and its optional argument. */
export interface FieldTransform {
  readonly name: string;
  readonly arg?: string;
}

const AGNEWS_DEBRIS: readonly [RegExp, string][] = [
  [/\\+/g, " "],
  [/ &?#39;s\b/g, "'s"],
  [/&?#39;/g, "'"],
  [/&?#36;/g, "$"],
  [/&?#151;/g, "--"],
  [/&?#14[5-6];/g, "'"],
  [/&?#14[7-8];/g, '"'],
  [/&?\bquot;/g, '"'],
  [/&lt;/g, "<"],
  [/&gt;/g, ">"],
  [/&?\bamp;/g, "&"],
  [/&?\bhellip;/g, "..."],
  [/\s+/g, " "],
];

/** Undoes AG News' escape debris and collapses whitespace. */
export function cleanAgnews(text: string): string {
  let s = text;
  for (const [re, to] of AGNEWS_DEBRIS) s = s.replace(re, to);
  return s.trim();
}

/** MeZO's COPA capitalisation of an alternative: first word lower-cased unless it is "I". */
export function lowercaseFirstWord(text: string): string {
  const words = text.trim().split(" ");
  if (words[0] !== "I") words[0] = words[0]!.toLowerCase();
  return words.join(" ");
}

const PLAIN: Readonly<Record<string, (s: string) => string>> = {
  trim: (s) => s.trim(),
  lowercase: (s) => s.toLowerCase(),
  uppercase: (s) => s.toUpperCase(),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1),
  "lowercase-first-word": lowercaseFirstWord,
  "collapse-spaces": (s) => s.replace(/\s+/g, " ").trim(),
  "agnews-debris": cleanAgnews,
};
const WITH_ARG: Readonly<Record<string, (s: string, a: string) => string>> = {
  "ensure-suffix": (s, a) => (s.endsWith(a) ? s : s + a),
  "strip-suffix": (s, a) => (a !== "" && s.endsWith(a) ? s.slice(0, s.length - a.length) : s),
};

/** Every transform name, for docs and errors. */
export const TRANSFORM_NAMES: readonly string[] = [...Object.keys(PLAIN), ...Object.keys(WITH_ARG).map((k) => `${k}:<text>`)];

/** Validates a list of transform names; `fail(index, message)` must throw. */
export function checkTransforms(list: readonly unknown[], fail: (i: number, msg: string) => never): FieldTransform[] {
  return list.map((t, i) => {
    if (typeof t !== "string") return fail(i, `must be a transform name, got ${JSON.stringify(t)}`);
    const colon = t.indexOf(":");
    const name = colon < 0 ? t : t.slice(0, colon);
    if (colon < 0 && name in PLAIN) return { name };
    if (colon >= 0 && name in WITH_ARG) return { name, arg: t.slice(colon + 1) };
    return fail(i, `is not a known transform: ${JSON.stringify(t)}; known: ${TRANSFORM_NAMES.join(", ")}`);
  });
}

/** Applies validated transforms in order. */
export function applyTransforms(text: string, list: readonly FieldTransform[]): string {
  let s = text;
  for (const t of list) s = t.arg === undefined ? PLAIN[t.name]!(s) : WITH_ARG[t.name]!(s, t.arg);
  return s;
}
