import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliArgumentError, InputError } from '@hotplug/runtime';
import { describe, expect, it } from 'vitest';
import { appProgram, choiceOption, EXIT, intOption, listOption, numberOption, pluginArgs, readPackageVersion, runApp, type Command } from '../src/index';

const version = readPackageVersion(new URL('../package.json', import.meta.url));

/** A small app with the convention: one default command, the shared option kinds, an action that records what it got. */
function app(record: (o: Record<string, unknown>) => void, fail?: Error): () => Command {
  return () => {
    const p = appProgram({ name: 'hotplug-demo', description: 'demo', version });
    p.command('run', { isDefault: true })
      .description('run it')
      .addOption(listOption('--variant <names>', 'variants', { defaults: ['a', 'b'] }))
      .addOption(
        listOption('--blocks <list>', 'blocks', {
          item: (v, o) => {
            const n = Number(v);
            if (!Number.isInteger(n) || n < 0) throw new CliArgumentError(`${o} takes block indices, got "${v}"`, o);
            return n;
          },
        }),
      )
      .addOption(intOption('--steps <n>', 'steps', { default: 10 }))
      .addOption(numberOption('--lr <x>', 'learning rate', { min: 0, exclusiveMin: true }))
      .addOption(choiceOption('--teacher <kind>', 'teacher', ['tfjs', 'onnx'] as const, 'tfjs'))
      .action((o) => {
        if (fail) throw fail;
        record({ ...o, plugin: p.opts().plugin });
      });
    return p;
  };
}

async function run(argv: string[], fail?: Error): Promise<{ code: number; got?: Record<string, unknown>; errors: string[]; out: string }> {
  let got: Record<string, unknown> | undefined;
  const errors: string[] = [];
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  }) as typeof process.stdout.write;
  const writeErr = process.stderr.write;
  process.stderr.write = ((s: string) => {
    errors.push(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await runApp(argv, {
      program: app((o) => {
        got = o;
      }, fail),
      error: (l) => errors.push(l),
    });
    return { code, got, errors, out };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

describe('the shared command-line convention', () => {
  it('one list syntax: comma lists, repeatable, replacing the default', async () => {
    expect((await run([])).got).toMatchObject({ variant: ['a', 'b'], steps: 10, teacher: 'tfjs' });
    expect((await run(['run', '--variant', 'x,y', '--variant', 'z'])).got!.variant).toEqual(['x', 'y', 'z']);
    expect((await run(['--variant=x'])).got!.variant).toEqual(['x']);
    expect((await run(['--blocks', '3,4', '--blocks', '5'])).got!.blocks).toEqual([3, 4, 5]);
  });

  it("--version prints package.json's version and -h the help, both exit 0", async () => {
    const v = await run(['--version']);
    expect(v.code).toBe(EXIT.ok);
    expect(v.out.trim()).toBe(version);
    const h = await run(['run', '-h']);
    expect(h.code).toBe(EXIT.ok);
    expect(h.out).toMatch(/--variant <names>[\s\S]*\(default: a,b\)[\s\S]*--plugin <module>/);
    expect(h.got).toBeUndefined();
  });

  it('usage errors exit 2 before the action runs, naming the option', async () => {
    for (const [argv, message] of [
      [['--steps', '0'], /--steps must be an integer >= 1, got "0"/],
      [['--lr', '-1'], /--lr must be a number > 0, got "-1"/],
      [['--teacher', 'gpu'], /--teacher must be tfjs or onnx, got "gpu"/],
      [['--variant', 'a,,b'], /--variant takes a comma-separated list without empty items/],
      [['--blocks', '1,x'], /--blocks takes block indices, got "x"/],
      [['--plugin', join(tmpdir(), 'no-such-plugin.mjs')], /PluginError: --plugin .*no-such-plugin.mjs: no such file/],
      [['--plugin', 'no-such-package-hotplug'], /no package of that name installed/],
    ] as const) {
      const r = await run([...argv]);
      expect(r.code, String(argv)).toBe(EXIT.usage);
      expect(r.got).toBeUndefined();
      expect(r.errors.join('\n')).toMatch(message);
    }
    const unknown = await run(['--stepz', '3']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.errors.join('')).toMatch(/unknown option '--stepz'[\s\S]*Did you mean --steps\?/);
  });

  it('an InputError from the action exits 2, any other error 1', async () => {
    expect((await run([], new InputError('bad spec file'))).code).toBe(EXIT.usage);
    const r = await run([], new Error('out of memory'));
    expect(r.code).toBe(EXIT.error);
    expect(r.errors).toContain('hotplug-demo: out of memory');
  });

  it('loads --plugin modules (paths, comma lists, before or after the command) before the program is built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-cli-plugin-'));
    const key = Symbol.for('hotplug.cli.test.loaded');
    writeFileSync(
      join(dir, 'one.mjs'),
      `globalThis[Symbol.for('hotplug.cli.test.loaded')] = [...(globalThis[Symbol.for('hotplug.cli.test.loaded')] ?? []), 'one'];\n`,
    );
    writeFileSync(
      join(dir, 'two.cjs'),
      `globalThis[Symbol.for('hotplug.cli.test.loaded')] = [...(globalThis[Symbol.for('hotplug.cli.test.loaded')] ?? []), 'two'];\n`,
    );
    writeFileSync(join(dir, 'broken.mjs'), `throw new Error('plugin bug');\n`);
    const r = await run(['run', '--plugin', `${join(dir, 'one.mjs')},${join(dir, 'two.cjs')}`]);
    expect(r.code).toBe(EXIT.ok);
    expect((globalThis as Record<symbol, unknown>)[key]).toEqual(['one', 'two']);
    expect(r.got!.plugin).toEqual([join(dir, 'one.mjs'), join(dir, 'two.cjs')]);
    const broken = await run(['--plugin', join(dir, 'broken.mjs')]);
    expect(broken.code).toBe(EXIT.usage);
    expect(broken.errors.join('')).toMatch(/broken.mjs failed: plugin bug/);
    expect(pluginArgs(['--plugin=a.mjs,b.mjs', 'x', '--plugin', 'c', '--', '--plugin', 'd'])).toEqual(['a.mjs', 'b.mjs', 'c']);
  });
});
