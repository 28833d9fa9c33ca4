/**
 * Typed errors for bad input and faults. Each names what was wrong (the file, the field or offset), the
 * value, and what was expected, so a caller can both show it and branch on the kind:
 * - `MazoFormatError` (a RangeError): a file or record whose content is malformed or implausible;
 * - `MazoFileError`: a path that cannot be read or written as asked (exists, not a folder, no space...);
 * - `MazoNumericError` (a RangeError): weights or losses that are not finite, or a collapsed run.
 */

/** A file or record whose content is malformed: `file` (or a label), `where` (field or byte offset). */
export class MazoFormatError extends RangeError {
  override readonly name = "MazoFormatError";
  constructor(readonly file: string, readonly where: string, message: string) {
    super(`${file}: ${where}: ${message}`);
  }
}

/** A path that cannot be used as asked; `path` names it, `code` the system error code when there was one. */
export class MazoFileError extends Error {
  override readonly name = "MazoFileError";
  constructor(readonly path: string, message: string, readonly code?: string) {
    super(`${path}: ${message}`);
  }
}

/** Non-finite weights or losses, or a run whose training has collapsed. */
export class MazoNumericError extends RangeError {
  override readonly name = "MazoNumericError";
  constructor(message: string) {
    super(message);
  }
}
