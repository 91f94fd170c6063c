import { CliArgumentError } from './errors';

/** A value that looks like a number and starts with a dash: `-1`, `-0.5`, `-1e-3`, `-.5`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * node:util parseArgs refuses `--lr -1` as ambiguous (the value starts with a dash). This joins
 * each `--name` of a string-valued option with a following negative number into `--name=-1`, so
 * such values reach the app's own range check and get its message ("--lr must be > 0, got -1")
 * instead of a parser error. Other arguments pass unchanged.
 */
export function joinNegativeValues(argv: readonly string[], options: Readonly<Record<string, { type: 'string' | 'boolean' }>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Reads a number option: undefined when absent, else a finite number within [min, max] (or CliArgumentError). */
export function numberOption(
  name: string,
  value: string | undefined,
  range: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  const { min, max, exclusiveMin = false, integer = false } = range;
  const want = [integer ? 'an integer' : 'a number', min !== undefined ? `${exclusiveMin ? '>' : '>='} ${min}` : '', max !== undefined ? `<= ${max}` : '']
    .filter(Boolean)
    .join(' ');
  const bad =
    !Number.isFinite(n) || (integer && !Number.isInteger(n)) || (min !== undefined && (exclusiveMin ? n <= min : n < min)) || (max !== undefined && n > max);
  if (bad) throw new CliArgumentError(`--${name} must be ${want}, got "${value}"`, `--${name}`);
  return n;
}
