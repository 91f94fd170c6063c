import { readFileSync } from 'node:fs';

/**
 * Reads a JSONL file written by appending (a metrics log). A line that does not parse is
 * skipped with a warning, not fatal: a process killed mid-append leaves a torn last line, and
 * that must not block resuming. Returns the parsed lines and how many were skipped.
 */
export function readJsonLines(path: string, warn: (message: string) => void = (m) => console.warn(m)): { rows: unknown[]; skipped: number } {
  const rows: unknown[] = [];
  let skipped = 0;
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      rows.push(JSON.parse(line));
    } catch {
      skipped++;
      warn(
        `${path}: line ${i + 1} is not valid JSON (${i === lines.length - 1 || (i === lines.length - 2 && !lines[lines.length - 1]) ? 'torn last line of an interrupted append' : 'corrupt line'}); skipped`,
      );
    }
  });
  return { rows, skipped };
}
