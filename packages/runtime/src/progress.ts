/** Options of a progress bar. */
export interface ProgressOptions {
  total: number;
  label?: string;
  /** Where to draw; defaults to stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Unit shown in the rate, e.g. 'step', 'img'. */
  unit?: string;
  /** When not a terminal, print a line at most this often (ms). */
  logIntervalMs?: number;
  /** Count already done (a resumed run). */
  start?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Formats seconds as h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * A progress bar with rate and ETA. On a terminal it redraws one line; elsewhere (CI, logs)
 * it prints a line every `logIntervalMs` and at the end, so logs stay readable.
 */
export class ProgressBar {
  readonly total: number;
  private done: number;
  private readonly startCount: number;
  private readonly started: number;
  private lastLog = -Infinity;
  private fields: Record<string, string | number> = {};
  private finished = false;
  private readonly opts: Required<Omit<ProgressOptions, 'start' | 'stream'>> & { stream: ProgressOptions['stream'] };

  constructor(options: ProgressOptions) {
    if (!(options.total >= 0)) throw new Error(`ProgressBar total must be >= 0, got ${options.total}`);
    this.opts = {
      label: '',
      unit: 'it',
      logIntervalMs: 5000,
      now: () => performance.now(),
      ...options,
      stream: options.stream ?? process.stderr,
    };
    this.total = options.total;
    this.done = options.start ?? 0;
    this.startCount = this.done;
    this.started = this.opts.now();
  }

  /** Advances by `n` and sets extra fields shown after the bar (loss, lr, …). */
  tick(n = 1, fields?: Record<string, string | number>): void {
    this.done = Math.min(this.total, this.done + n);
    if (fields) this.fields = { ...this.fields, ...fields };
    this.render(false);
  }

  /** Replaces the extra fields without advancing. */
  set(fields: Record<string, string | number>): void {
    this.fields = { ...this.fields, ...fields };
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.finished) return;
    this.render(true);
    this.finished = true;
  }

  /** Items per second since start (this run only). */
  rate(): number {
    const elapsed = (this.opts.now() - this.started) / 1000;
    return elapsed > 0 ? (this.done - this.startCount) / elapsed : 0;
  }

  /** The line as it would be drawn now. */
  line(width = 24): string {
    const frac = this.total > 0 ? this.done / this.total : 1;
    const filled = Math.round(frac * width);
    const rate = this.rate();
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const elapsed = (this.opts.now() - this.started) / 1000;
    const extra = Object.entries(this.fields)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(' ');
    return [
      this.opts.label,
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
      `${(frac * 100).toFixed(0).padStart(3)}%`,
      `${this.done}/${this.total}`,
      `${formatNumber(rate)} ${this.opts.unit}/s`,
      `elapsed ${formatDuration(elapsed)}`,
      `ETA ${formatDuration(eta)}`,
      extra,
    ]
      .filter(Boolean)
      .join(' ');
  }

  private render(final: boolean): void {
    const stream = this.opts.stream!;
    const now = this.opts.now();
    if (stream.isTTY) {
      stream.write(`\r${this.line()}\x1b[K${final ? '\n' : ''}`);
    } else if (final || now - this.lastLog >= this.opts.logIntervalMs) {
      this.lastLog = now;
      stream.write(`${this.line()}\n`);
    }
  }
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(3);
}
