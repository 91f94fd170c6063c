import type { z } from 'zod';

/**
 * Bad input from a file or the command line: says which source, which field, what was
 * expected and how to fix it. Every hotplug reader throws a subclass of this, so callers can
 * tell "your input is wrong" from a bug (`err instanceof InputError`).
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    /** The file (or "--option") the bad value came from. */
    readonly source?: string,
    /** The field inside it, as a dotted path, where known. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A command-line value that does not parse or is out of range. */
export class CliArgumentError extends InputError {
  override name = 'CliArgumentError';
}

/** A JSON document that does not match its schema (zod issues, one per line). */
export class SchemaError extends InputError {
  override name = 'SchemaError';
}

/** Where and what is wrong in a file a reader was given (the fields of an InvalidFileError). */
export interface InvalidFileDetails {
  /** The file (or a description of the in-memory source) that was read. */
  file: string;
  /** What is wrong, in a few words. */
  problem: string;
  /** The field / tensor / line / entry the problem is in, if one. */
  field?: string;
  /** What a valid file has there. */
  expected?: string;
  /** How the user can fix it. */
  fix?: string;
}

/**
 * A file (or parsed content) a reader was given is not valid; nothing was loaded from it.
 * The base of the file-reader error families in @hotplug/backbones and @hotplug/data.
 */
export class InvalidFileError extends InputError {
  readonly file: string;
  readonly problem: string;
  readonly expected?: string;
  readonly fix?: string;

  constructor(details: InvalidFileDetails) {
    const where = details.field ? ` (${details.field})` : '';
    const expected = details.expected ? `; expected ${details.expected}` : '';
    const fix = details.fix ? `. ${details.fix}` : '';
    super(`${details.file}${where}: ${details.problem}${expected}${fix}`, details.file, details.field);
    this.name = new.target.name;
    this.file = details.file;
    this.problem = details.problem;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.fix !== undefined) this.fix = details.fix;
  }
}

/** zod issues as "a.b.c: message" lines (first few), for the `problem` of an InvalidFileError. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], max = 8): string {
  const lines = issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`);
  if (issues.length > max) lines.push(`... and ${issues.length - max} more`);
  return lines.join('; ');
}

/** An error class a reader throws: same constructor shape as InputError. */
export type InputErrorClass = new (message: string, source?: string, field?: string) => InputError;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length
    ? path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')
    : '(root)';
}

/**
 * Checks `value` against a zod schema; on failure throws `ErrorClass` (SchemaError by default)
 * naming the source, each wrong field with what was expected, and `fix`.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, source: string, fix: string, ErrorClass: InputErrorClass = SchemaError): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 8);
  const lines = issues.map((i) => `  ${issuePath(i.path)}: ${i.message}`);
  if (result.error.issues.length > issues.length) lines.push(`  ... and ${result.error.issues.length - issues.length} more`);
  throw new ErrorClass(`${source} is not valid:\n${lines.join('\n')}\n${fix}`, source, issuePath(issues[0]?.path ?? []));
}

/** JSON.parse that throws `ErrorClass` naming the file instead of a bare SyntaxError. */
export function parseJson(text: string, source: string, fix: string, ErrorClass: InputErrorClass = SchemaError): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ErrorClass(`${source} is not valid JSON (${(err as Error).message}); ${fix}`, source);
  }
}
