/**
 * Where a run's files go: a RunSink writes whole files atomically, appends lines, and reads files back
 * (resume, best-step rebuild). The run folder layout (config.json, metrics.jsonl, trajectory.jsonl,
 * checkpoint.json, masks.json, eval.json, loss.svg, model/ or adapter/) is the same in every sink.
 * {@link memorySink} keeps them in a Map (browser pages, workers, tests; hand them to OPFS or a
 * download afterwards); src/io/folder_sink.ts writes a folder on Deno and Node.
 */

/** A run's file store; names are relative paths with "/" separators ("model/config.json"). */
export interface RunSink {
  /** What the sink is (a folder path, "memory"), for messages. */
  readonly label: string;
  /** The display path of file `name` (the folder sink joins it to its folder). */
  path(name: string): string;
  /** Writes `parts` as file `name`, replacing it atomically (readers never see a partial file). */
  write(name: string, parts: readonly Uint8Array[]): Promise<void>;
  /** Appends `text` to file `name` (created when missing) in one write. */
  append(name: string, text: string): Promise<void>;
  /** The text of file `name`, or undefined when it does not exist. */
  readText(name: string): Promise<string | undefined>;
}

/** A RunSink in memory: `files` maps names to their bytes. */
export interface MemorySink extends RunSink {
  readonly files: Map<string, Uint8Array>;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** A sink that keeps every file in memory (optionally seeded with `files`, e.g. to resume). */
export function memorySink(files: Map<string, Uint8Array> = new Map()): MemorySink {
  const enc = new TextEncoder();
  return {
    label: "memory",
    files,
    path: (name) => name,
    write(name, parts) {
      files.set(name, concat(parts));
      return Promise.resolve();
    },
    append(name, text) {
      files.set(name, concat([files.get(name) ?? new Uint8Array(0), enc.encode(text)]));
      return Promise.resolve();
    },
    readText(name) {
      const b = files.get(name);
      return Promise.resolve(b === undefined ? undefined : new TextDecoder().decode(b));
    },
  };
}

/** Writes `text` (UTF-8) as file `name`. */
export async function writeText(sink: RunSink, name: string, text: string): Promise<void> {
  await sink.write(name, [new TextEncoder().encode(text)]);
}

/** Keeps the first `lines` complete lines of file `name` (drops later and torn ones). */
export async function truncateLines(sink: RunSink, name: string, lines: number): Promise<void> {
  const text = (await sink.readText(name)) ?? "";
  const complete = text.split("\n").slice(0, -1);
  if (complete.length < lines) throw new RangeError(`${sink.path(name)} has ${complete.length} complete lines; the checkpoint needs ${lines}`);
  await writeText(sink, name, complete.slice(0, lines).map((l) => l + "\n").join(""));
}
