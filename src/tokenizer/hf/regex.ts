// tokenizer.json patterns are Oniguruma regular expressions (the Rust tokenizers library compiles them
// with onig); JavaScript's `u` RegExp differs in syntax and meaning. This rewrites a pattern into an
// equivalent JavaScript one that every runtime compiles (Node 20 and older browsers have no inline
// modifier groups), with the meanings transformers.js gives them:
//   (?i:...) (?i)     -> (?:...) with every ASCII letter as [xX] (in classes: its other case added)
//   \s \S             -> \p{White_Space} \P{White_Space} (JS \s adds U+FEFF and lacks U+0085)
//   \d \D \w \W \h \H -> Unicode digit / word classes, hex digits
//   .  ^  $           -> any but \n; start and end of a line (Oniguruma is always multi-line)
//   \A \z \Z \x{..}   -> lookarounds and \u{..};  (?>...) -> (?:...);  x++ x*+ x?+ -> x+ x* x?
//   {,n} -> {0,n};  x{n}+ -> (?:x{n})+ (Oniguruma reads it as a repetition, not as possessive)
//   [a[bc]] [a&&[b]]  -> unions by alternation, intersections by lookahead
// Anything else passes through unchanged, so a construct JavaScript lacks fails in new RegExp with the
// engine's message, wrapped with the pattern.

const WORD_IN_CLASS = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE";
const HEX = "0-9A-Fa-f";
const WORD = `[${WORD_IN_CLASS}]`;
const NON_WORD = `[^${WORD_IN_CLASS}]`;
const ANY = "[\\s\\S]";

/** Escapes outside a class: Oniguruma letter -> JavaScript atom. */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["s", "\\p{White_Space}"],
  ["S", "\\P{White_Space}"],
  ["d", "\\p{Nd}"],
  ["D", "\\P{Nd}"],
  ["w", WORD],
  ["W", NON_WORD],
  ["h", `[${HEX}]`],
  ["H", `[^${HEX}]`],
  ["b", `(?:(?<!${WORD})(?=${WORD})|(?<=${WORD})(?!${WORD}))`],
  ["B", `(?:(?<!${WORD})(?!${WORD})|(?<=${WORD})(?=${WORD}))`],
  ["A", "(?<![\\s\\S])"],
  ["z", "(?![\\s\\S])"],
  ["Z", "(?=\\n?(?![\\s\\S]))"],
  ["a", "\\x07"],
  ["e", "\\x1B"],
  ["G", ""],
]);

/** Escapes inside a class: Oniguruma letter -> JavaScript class fragment. */
const CLASS_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["s", "\\p{White_Space}"],
  ["S", "\\P{White_Space}"],
  ["d", "\\p{Nd}"],
  ["D", "\\P{Nd}"],
  ["w", WORD_IN_CLASS],
  ["h", HEX],
  ["a", "\\x07"],
  ["e", "\\x1B"],
]);

/** Class escapes with no fragment form, written as a whole atom (joined to the class by union). */
const CLASS_COMPLEMENTS: ReadonlyMap<string, string> = new Map([
  ["W", NON_WORD],
  ["H", `[^${HEX}]`],
]);

const SYNTAX = "^$\\.*+?()[]{}|/";
const isAsciiLetter = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const otherCase = (c: string): string => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
const codePointAt = (s: string, i: number): string => String.fromCodePoint(s.codePointAt(i)!);

function fail(src: string, at: number, what: string): never {
  throw new SyntaxError(`tokenizer.json: pattern ${JSON.stringify(src)}: ${what} at index ${at}`);
}

/** A \p{Name} that JavaScript knows, else \p{Script=Name} (Oniguruma takes bare script names). */
function property(p: string, name: string): string {
  if (name === "Word") return p === "p" ? WORD : NON_WORD;
  try {
    new RegExp(`\\p{${name}}`, "u");
    return `\\${p}{${name}}`;
  } catch {
    return `\\${p}{Script=${name}}`;
  }
}

/** The code point an escape such as \x41, \u0041, \x{41} or \101 stands for, with its length; undefined if none. */
function escapedCodePoint(src: string, i: number): [number, number] | undefined {
  const rest = src.slice(i, i + 12);
  let m = /^\\x\{([0-9A-Fa-f]{1,8})\}/.exec(rest);
  if (m) return [parseInt(m[1]!, 16), m[0].length];
  m = /^\\x([0-9A-Fa-f]{2})/.exec(rest) ?? /^\\u([0-9A-Fa-f]{4})/.exec(rest);
  if (m) return [parseInt(m[1]!, 16), m[0].length];
  return undefined;
}

const hexAtom = (cp: number): string => `\\u{${cp.toString(16)}}`;

interface ClassResult {
  /** A JavaScript atom matching one character of the class. */
  atom: string;
  end: number;
}

/** One operand of a class (what lies between `&&`s): a plain fragment plus whole atoms joined by union. */
interface Operand {
  fragment: string;
  atoms: string[];
}

function operandAtom(o: Operand): string {
  const parts = [...(o.fragment.length > 0 ? [`[${o.fragment}]`] : []), ...o.atoms];
  if (parts.length === 0) return "[]";
  return parts.length === 1 ? parts[0]! : `(?:${parts.join("|")})`;
}

/** Parses the class starting at src[start] === "[" (case-folding ASCII letters when `fold`). */
function parseClass(src: string, start: number, fold: boolean): ClassResult {
  let i = start + 1;
  const negated = src[i] === "^";
  if (negated) i++;
  const operands: Operand[] = [{ fragment: "", atoms: [] }];
  let op = operands[0]!;
  let first = true;
  let prevLetter = ""; // the last literal ASCII letter, for folding a range a-z
  while (i < src.length) {
    const c = codePointAt(src, i);
    if (c === "]" && !first) {
      const simple = operands.length === 1 && op.atoms.length === 0;
      let atom: string;
      if (simple) atom = negated ? `[^${op.fragment}]` : `[${op.fragment}]`;
      else {
        const ands = operands.map(operandAtom);
        const pos = ands.length === 1 ? ands[0]! : `(?:${ands.slice(0, -1).map((a) => `(?=${a})`).join("")}${ands[ands.length - 1]!})`;
        atom = negated ? `(?:(?!${pos})${ANY})` : pos;
      }
      return { atom, end: i + 1 };
    }
    first = false;
    if (c === "[") {
      if (src.startsWith("[:", i)) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
        if (!m) fail(src, i, "unsupported POSIX bracket");
        const frag = POSIX.get(m[2]!);
        if (frag === undefined) fail(src, i, `unknown POSIX class [:${m[2]}:]`);
        if (m[1] === "^") op.atoms.push(`[^${frag}]`);
        else op.fragment += frag;
        i += m[0].length;
        continue;
      }
      const inner = parseClass(src, i, fold);
      op.atoms.push(inner.atom);
      i = inner.end;
      continue;
    }
    if (c === "&" && src[i + 1] === "&") {
      op = { fragment: "", atoms: [] };
      operands.push(op);
      i += 2;
      continue;
    }
    if (c === "\\") {
      const cp = escapedCodePoint(src, i);
      if (cp !== undefined) {
        op.fragment += hexAtom(cp[0]);
        const ch = String.fromCodePoint(cp[0]);
        if (fold && isAsciiLetter(ch)) op.fragment += otherCase(ch);
        i += cp[1];
        continue;
      }
      const pm = /^\\([pP])\{([^}]*)\}/.exec(src.slice(i));
      if (pm) {
        const p = property(pm[1]!, pm[2]!);
        if (p.startsWith("[")) op.atoms.push(p);
        else op.fragment += p;
        i += pm[0].length;
        continue;
      }
      const n = src[i + 1];
      if (n === undefined) fail(src, i, "trailing backslash");
      const rep = CLASS_ESCAPES.get(n);
      const comp = CLASS_COMPLEMENTS.get(n);
      if (rep !== undefined) op.fragment += rep;
      else if (comp !== undefined) op.atoms.push(comp);
      else if (/[A-Za-z0-9]/.test(n) || SYNTAX.includes(n) || n === "-") op.fragment += `\\${n}`;
      else op.fragment += n;
      i += 2;
      prevLetter = "";
      continue;
    }
    if (c === "-" && prevLetter !== "" && i + 1 < src.length && isAsciiLetter(src[i + 1]!) && fold) {
      // a folded letter range: add the same range in the other case
      const hi = src[i + 1]!;
      op.fragment += `-${hi}${otherCase(prevLetter)}-${otherCase(hi)}`;
      i += 2;
      prevLetter = "";
      continue;
    }
    if (c === "[" || c === "/") op.fragment += `\\${c}`;
    else op.fragment += c;
    const rangeFollows = src[i + 1] === "-" && isAsciiLetter(src[i + 2] ?? "");
    if (fold && isAsciiLetter(c) && !rangeFollows) op.fragment += otherCase(c);
    prevLetter = isAsciiLetter(c) ? c : "";
    i += c.length;
  }
  fail(src, start, "unterminated character class");
}

const POSIX: ReadonlyMap<string, string> = new Map([
  ["alpha", "\\p{Alphabetic}"],
  ["alnum", "\\p{Alphabetic}\\p{Nd}"],
  ["digit", "\\p{Nd}"],
  ["lower", "\\p{Lowercase}"],
  ["upper", "\\p{Uppercase}"],
  ["space", "\\p{White_Space}"],
  ["blank", "\\t\\p{Zs}"],
  ["punct", "\\p{P}\\p{S}"],
  ["cntrl", "\\p{Cc}"],
  ["word", WORD_IN_CLASS],
  ["xdigit", HEX],
]);

const GROUP_OPEN = /^\(\?(?:<[=!]|<[A-Za-z_][A-Za-z0-9_]*>|P<[A-Za-z_][A-Za-z0-9_]*>|[:=!>])/;
const FLAG_GROUP = /^\(\?([imsxu]*)(?:-([imsx]*))?([:)])/;
const BRACE = /^\{(\d+(?:,\d*)?|,\d+)\}/;

/** The JavaScript source (for flags "u"/"gu") equivalent to an Oniguruma tokenizer.json pattern. */
export function oniguruma(src: string): string {
  let out = "";
  let atomStart = -1; // where the last atom began in `out` (-1: none to quantify)
  let quantified = false; // the last thing written was a quantifier (a following + is possessive)
  let fold = false;
  const groups: [number, boolean][] = []; // (start in out, fold outside the group)
  const atom = (s: string): void => {
    atomStart = out.length;
    out += s;
    quantified = false;
  };
  for (let i = 0; i < src.length;) {
    const c = codePointAt(src, i);
    switch (c) {
      case "\\": {
        const cp = escapedCodePoint(src, i);
        if (cp !== undefined) {
          const ch = String.fromCodePoint(cp[0]);
          atom(fold && isAsciiLetter(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : hexAtom(cp[0]));
          i += cp[1];
          continue;
        }
        const pm = /^\\([pP])\{([^}]*)\}/.exec(src.slice(i));
        if (pm) {
          atom(property(pm[1]!, pm[2]!));
          i += pm[0].length;
          continue;
        }
        const n = src[i + 1];
        if (n === undefined) fail(src, i, "trailing backslash");
        i += 2;
        const rep = ESCAPES.get(n);
        if (rep !== undefined) {
          if (rep.length > 0) atom(rep);
        } else if (/[A-Za-z0-9]/.test(n) || SYNTAX.includes(n)) atom(`\\${n}`);
        else atom(n);
        continue;
      }
      case "[": {
        const r = parseClass(src, i, fold);
        atom(r.atom);
        i = r.end;
        continue;
      }
      case "]":
        atom("\\]");
        i++;
        continue;
      case "}":
        atom("\\}");
        i++;
        continue;
      case ".":
        atom("[^\\n]");
        i++;
        continue;
      case "^":
        atom("(?:(?<![\\s\\S])|(?<=\\n))");
        i++;
        continue;
      case "$":
        atom("(?:(?=\\n)|(?![\\s\\S]))");
        i++;
        continue;
      case "(": {
        const rest = src.slice(i);
        if (rest.startsWith("(?#")) {
          const close = src.indexOf(")", i);
          if (close < 0) fail(src, i, "unterminated comment group");
          i = close + 1;
          continue;
        }
        const flagGroup = FLAG_GROUP.exec(rest);
        if (flagGroup && (flagGroup[1] !== "" || flagGroup[2] !== undefined)) {
          const on = flagGroup[1]!, off = flagGroup[2] ?? "";
          const bad = (on + off).replace(/[iu]/g, "");
          if (bad.length > 0) fail(src, i, `inline flag(s) "${bad}" are not supported (only i)`);
          const newFold: boolean = on.includes("i") ? true : off.includes("i") ? false : fold;
          if (flagGroup[3] === ")") fold = newFold; // (?i) applies to the rest of the enclosing group
          else {
            groups.push([out.length, fold]);
            fold = newFold;
            out += "(?:";
            quantified = false;
          }
          i += flagGroup[0].length;
          continue;
        }
        const open = GROUP_OPEN.exec(rest)?.[0] ?? "(";
        groups.push([out.length, fold]);
        out += open === "(?>" ? "(?:" : open.startsWith("(?P<") ? `(?<${open.slice(4)}` : open;
        quantified = false;
        i += open.length;
        continue;
      }
      case ")": {
        const g = groups.pop();
        if (g === undefined) fail(src, i, "unbalanced )");
        out += ")";
        [atomStart, fold] = g;
        quantified = false;
        i++;
        continue;
      }
      case "|":
        out += c;
        atomStart = -1;
        quantified = false;
        i++;
        continue;
      case "{": {
        const q = BRACE.exec(src.slice(i));
        if (!q || atomStart < 0) {
          atom("\\{");
          i++;
          continue;
        }
        const body = q[1]!.startsWith(",") ? `0${q[1]}` : q[1]!;
        i += q[0].length;
        const next = src[i];
        if (next === "+" || next === "*") {
          out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)}{${body}})${next}`;
          i++;
        } else out += `{${body}}`;
        quantified = true;
        continue;
      }
      case "+":
        if (!quantified) out += c;
        quantified = !quantified;
        i++;
        continue;
      case "*":
      case "?":
        out += c;
        quantified = true;
        i++;
        continue;
      default:
        atom(fold && isAsciiLetter(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c === "/" ? "\\/" : c);
        i += c.length;
    }
  }
  if (groups.length > 0) fail(src, src.length, "unterminated group");
  return out;
}

/** A tokenizer.json Regex pattern compiled for JavaScript (global, Unicode). */
export function compilePattern(src: string, flags = "gu"): RegExp {
  const js = oniguruma(src);
  try {
    return new RegExp(js, flags);
  } catch (e) {
    throw new SyntaxError(`tokenizer.json: pattern ${JSON.stringify(src)} (rewritten for JavaScript as ${JSON.stringify(js)}) does not compile: ${(e as Error).message}`);
  }
}
