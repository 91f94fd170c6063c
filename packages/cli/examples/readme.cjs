// @ts-check
// The README example: a small app on the shared convention, run in-process with a good command
// line and a bad one.
const assert = require('node:assert/strict');
const { EXIT, appProgram, defaultOutDir, intOption, listOption, runApp } = require('@hotplug/cli');

(async () => {
  /** @type {{ variant: string[], steps: number, out: string }[]} */
  const runs = [];
  const program = () => {
    const p = appProgram({ name: 'hotplug-demo', description: 'trains the variants', version: '1.2.3' });
    p.command('train', { isDefault: true })
      .description('train the variants')
      .addOption(listOption('--variant <names>', 'variants to train', { defaults: ['a', 'b'] }))
      .addOption(intOption('--steps <n>', 'training steps', { default: 300 }))
      .option('--out <dir>', 'result folder', defaultOutDir('demo'))
      .action(async (o) => {
        // check everything here first (CliArgumentError), then start the backend and work
        runs.push(o);
      });
    return p;
  };

  // One list syntax: comma-separated, and the option may be repeated; the default command runs.
  assert.equal(await runApp(['--variant', 'a,b', '--variant', 'c', '--steps', '5'], { program }), EXIT.ok);
  assert.deepEqual(runs[0], { variant: ['a', 'b', 'c'], steps: 5, out: defaultOutDir('demo') });

  // A wrong value is a usage error (exit code 2) naming the option, before the action runs.
  /** @type {string[]} */
  const errors = [];
  assert.equal(await runApp(['train', '--steps', '0'], { program, error: (line) => errors.push(line) }), EXIT.usage);
  assert.equal(runs.length, 1);
  console.log(`cli README example (CommonJS): ran ${JSON.stringify(runs[0])}; --steps 0 exited ${EXIT.usage}: ${errors[0]}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
