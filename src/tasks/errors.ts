/** Errors raised while reading task data: each names the file, the line when there is one, and what was expected. */

/** A missing, unreadable or malformed task data file. */
export class TaskDataError extends Error {
  override readonly name = "TaskDataError";
  /** The file involved. */
  readonly file: string;
  /** 1-based line number, or 0 when the problem is not tied to a line. */
  readonly line: number;
  constructor(file: string, line: number, message: string, options?: ErrorOptions) {
    super(`${file}${line > 0 ? ` line ${line}` : ""}: ${message}`, options);
    this.file = file;
    this.line = line;
  }
}

/** Shortens a source line for an error message. */
export function excerpt(text: string, max = 80): string {
  const s = JSON.stringify(text);
  return s.length <= max ? s : `${s.slice(0, max - 4)}..."`;
}
