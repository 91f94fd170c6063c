// Issue 18, case 8: `--lr -1` can be passed and is refused with a clear message; fuzzed numeric options.
import fc from 'fast-check';
import { CommanderError } from '@hotplug/cli';
import { CliArgumentError, InputError } from '@hotplug/runtime';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/index';
import { adapterDir } from '../src/train-variant';
import { fuzzTally } from '../../../tools/test-support/fuzz';

// A clear error is an InputError, or commander's own usage errors (a value that looks like an option,
// e.g. "--x": "unknown option"), which carry commander.* codes.
const tally = fuzzTally('taca CLI args', {
  isClear: (err) => err instanceof InputError || (err instanceof CommanderError && err.exitCode !== 0 && err.code.startsWith('commander.')),
  acceptedMeans: 'valid values',
});

describe('command-line values', () => {
  it('passes `--lr -1` to the range check, which refuses it', () => {
    expect(() => parseOptions(['train', '--lr', '-1'])).toThrow(CliArgumentError);
    expect(() => parseOptions(['train', '--lr', '-1'])).toThrow('--lr must be a number > 0, got "-1"');
    expect(() => parseOptions(['--w-contrastive', '-0.5'])).toThrow('--w-contrastive must be a number >= 0, got "-0.5"');
    expect(parseOptions(['--lr', '2e-3']).training.lr).toBe(0.002);
    expect(parseOptions(['--restart']).restart).toBe(true);
    expect(parseOptions([]).corpus).toBe('scenes');
    expect(parseOptions(['--corpus', 'labels']).corpus).toBe('labels');
    expect(() => parseOptions(['--corpus', 'captions'])).toThrow('--corpus must be scenes or labels, got "captions"');
  });

  it('--seed seeds the adapter and the corpus order, and names the replicate folders <variant>-seed<N>', () => {
    const seeded = parseOptions(['train', '--variant', 'lora', '--seed', '2', '--out', '/tmp/taca-x']);
    expect(seeded.adapter.seed).toBe(2);
    expect(seeded.training.seed).toBe(2);
    expect(adapterDir(seeded, 'lora')).toBe('/tmp/taca-x/adapters/lora-seed2');
    const plain = parseOptions(['train', '--variant', 'lora', '--out', '/tmp/taca-x']);
    expect(plain.adapter.seed).toBeUndefined();
    expect(plain.training.seed).toBeUndefined();
    expect(adapterDir(plain, 'lora')).toBe('/tmp/taca-x/adapters/lora');
    expect(() => parseOptions(['--seed', '-1'])).toThrow(CliArgumentError);
  });

  it('every numeric option: a value is either accepted as a valid number or refused with a CliArgumentError', () => {
    const numeric = [
      'lr',
      'steps',
      'batch-size',
      'bottleneck',
      'scale',
      'w-distill',
      'w-contrastive',
      'w-influence',
      'corpus-size',
      'max-per-dataset',
      'train-size',
      'test-size',
      'blocks',
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.double().map(String),
      fc.integer().map(String),
      fc.constantFrom('-1', '-0', '1e400', 'NaN', '', ' ', '0x10', '1,2', '-1,3'),
    );
    fc.assert(
      fc.property(fc.constantFrom(...numeric), value, fc.boolean(), (name, v, joined) => {
        tally.runSync(() => {
          const o = parseOptions(joined ? [`--${name}=${v}`] : [`--${name}`, v]);
          const all = [
            o.training.lr,
            o.training.steps!,
            o.training.batchSize!,
            (o.adapter.options.bottleneck ?? 16) as number,
            (o.adapter.options.scale ?? 1) as number,
            o.corpusSize,
            o.maxPerDataset,
            o.trainSize,
            o.testSize,
          ];
          expect(all.every(Number.isFinite)).toBe(true);
          expect(o.training.lr).toBeGreaterThan(0);
        });
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});
