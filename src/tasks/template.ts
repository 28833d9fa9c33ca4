/**
 * Prompt templates and verbalizers. A template is a string with `{field}` placeholders filled from a
 * record's fields (`{{` and `}}` are literal braces); the verbalizer lists one candidate pattern per
 * label, with the same placeholders, each including its leading separator (" great"). As in MeZO's
 * templates.py, spaces (not newlines) are stripped from both ends of the rendered prompt.
 */

/** A prompt pattern and one candidate pattern per label. Plain JSON, so it can come from a config file. */
export interface TaskTemplate {
  readonly template: string;
  readonly verbalizer: readonly string[];
}

/** Fills `{field}` placeholders from `fields`; an unknown name is a RangeError listing the known ones. */
export function fillPattern(pattern: string, fields: Readonly<Record<string, string>>, what: string): string {
  return pattern.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, name: string | undefined) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const key = name ?? "";
    const v = fields[key];
    if (v === undefined) {
      throw new RangeError(`${what}: unknown placeholder {${key}}; this task's fields are ${Object.keys(fields).map((k) => `{${k}}`).join(", ")}`);
    }
    return v;
  });
}

/**
 * Validates a template override (e.g. parsed from JSON): `{template: string, verbalizer: string[]}` with
 * exactly `classes` non-empty verbalizer entries. TypeError for a wrong shape, RangeError for a wrong count.
 */
export function parseTemplate(value: unknown, task: string, classes: number): TaskTemplate {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${task} template override: expected an object {template, verbalizer}, got ${JSON.stringify(value)}`);
  }
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== "template" && k !== "verbalizer");
  if (extra.length > 0) throw new TypeError(`${task} template override: unknown key(s) ${extra.join(", ")}; expected only template and verbalizer`);
  if (typeof o.template !== "string") throw new TypeError(`${task} template override: "template" must be a string, got ${JSON.stringify(o.template)}`);
  const vb = o.verbalizer;
  if (!Array.isArray(vb) || !vb.every((v) => typeof v === "string" && v !== "")) {
    throw new TypeError(`${task} template override: "verbalizer" must be an array of non-empty strings, got ${JSON.stringify(vb)}`);
  }
  if (vb.length !== classes) throw new RangeError(`${task} template override: verbalizer has ${vb.length} entries, the task has ${classes} labels`);
  return { template: o.template, verbalizer: vb as string[] };
}
