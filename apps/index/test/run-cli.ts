// Shared by the end-to-end tests: runs hotplug-index in this process and captures what it prints.
import { runCli } from '../src/index';

/** Runs the CLI with `args` plus `--out out`; returns its exit code and its console output. */
export async function runCliCapturing(args: string[], out: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const [log, err] = [console.log, console.error];
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    return { code: await runCli([...args, '--out', out]), out: lines.join('\n') };
  } finally {
    [console.log, console.error] = [log, err];
  }
}
