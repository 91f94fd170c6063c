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

/** An error class a reader throws: same constructor shape as InputError. */
export type InputErrorClass = new (message: string, source?: string, field?: string) => InputError;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)';
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
