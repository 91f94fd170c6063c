import { CliArgumentError, numberOption as parseNumber } from '@hotplug/runtime';
import { Option } from 'commander';

const optionName = (flags: string) => /--([\w-]+)/.exec(flags)?.[1] ?? flags;

export interface ListOptionSettings<T> {
  /** The list when the option is not given (shown in help); values given replace it. */
  defaults?: readonly T[];
  /** Parses (and checks) one item; throw CliArgumentError to refuse it. */
  item?: (value: string, option: string) => T;
}

/**
 * A list option, the one list syntax of every hotplug app: comma-separated values, and the
 * option may be repeated (`--variant a,b` is `--variant a --variant b`). Empty items are refused.
 */
export function listOption<T = string>(flags: string, description: string, settings: ListOptionSettings<T> = {}): Option {
  const name = optionName(flags);
  const defaults = settings.defaults ? [...settings.defaults] : undefined;
  const opt = new Option(flags, description).argParser((value: string, previous: T[] | undefined) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw new CliArgumentError(`--${name} takes a comma-separated list without empty items, got "${value}"`, `--${name}`);
    // commander hands the default in as `previous` on the first use: values given replace it.
    const base = previous === undefined || previous === defaults ? [] : previous;
    return [...base, ...parts.map((p) => (settings.item ? settings.item(p, `--${name}`) : (p as T)))];
  });
  return defaults ? opt.default(defaults, defaults.join(',')) : opt;
}

/** An integer option within [min, max] (default min 1); refused with CliArgumentError naming the option. */
export function intOption(flags: string, description: string, range: { min?: number; max?: number; default?: number } = {}): Option {
  const name = optionName(flags);
  const opt = new Option(flags, description).argParser((v: string) => parseNumber(name, v, { min: range.min ?? 1, max: range.max, integer: true })!);
  return range.default !== undefined ? opt.default(range.default) : opt;
}

/** A finite number option within a range; refused with CliArgumentError naming the option. */
export function numberOption(flags: string, description: string, range: { min?: number; max?: number; exclusiveMin?: boolean; default?: number } = {}): Option {
  const name = optionName(flags);
  const opt = new Option(flags, description).argParser((v: string) => parseNumber(name, v, range)!);
  return range.default !== undefined ? opt.default(range.default) : opt;
}

/** One of a fixed set of values; anything else is a CliArgumentError listing them. */
export function choiceOption<C extends string>(flags: string, description: string, choices: readonly C[], fallback?: C): Option {
  const name = optionName(flags);
  const opt = new Option(flags, `${description} (${choices.join(' | ')})`).argParser((v: string) => {
    if (!(choices as readonly string[]).includes(v))
      throw new CliArgumentError(`--${name} must be ${choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}, got "${v}"`, `--${name}`);
    return v as C;
  });
  return fallback !== undefined ? opt.default(fallback) : opt;
}
