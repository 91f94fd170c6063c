/** Escapes text for HTML/SVG content and attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type Attr = string | number | undefined;

/** One element as a string; undefined attributes are left out. */
export function tag(name: string, attrs: Record<string, Attr>, ...children: string[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
  return children.length ? `<${name}${a}>${children.join('')}</${name}>` : `<${name}${a}/>`;
}

/** Categorical colours (Tableau 10), readable on white and distinct for colour-blind readers in pairs. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Wraps a chart in a labelled figure that the page script and tests can find. */
export function figure(kind: string, title: string, caption: string, svg: string): string {
  return tag('figure', { class: 'chart', 'data-figure': kind, 'data-title': title }, tag('h3', {}, esc(title)), svg, tag('figcaption', {}, esc(caption)));
}

/** Horizontal grid lines and percentage labels of a 0..max axis (five ticks). */
export function percentAxis(x0: number, x1: number, yOf: (v: number) => number, label: string, labelX: number, max = 1): string {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = yOf(v);
    parts.push(tag('line', { x1: x0, x2: x1, y1: y, y2: y, class: 'grid' }));
    const text = max >= 0.2 ? `${Math.round(v * 100)}%` : `${(v * 100).toFixed(1)}%`;
    parts.push(tag('text', { x: x0 - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, text));
  }
  const mid = (yOf(0) + yOf(max)) / 2;
  parts.push(tag('text', { x: labelX, y: mid, transform: `rotate(-90 ${labelX} ${mid})`, 'text-anchor': 'middle', class: 'axis-label' }, esc(label)));
  return parts.join('');
}

/** "42.0%" or "n/a". */
export function pctLabel(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}

/** A round upper bound for an axis holding `v` (at least 5%). */
export function niceMax(v: number): number {
  const steps = [0.05, 0.1, 0.2, 0.25, 0.5, 1];
  return steps.find((s) => v <= s) ?? 1;
}

/** Splits a label into lines of at most `width` characters at spaces (a longer word gets a line of its own), at most `maxLines` lines (the last ends with "…"). */
export function wrapText(text: string, width: number, maxLines = 3): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, Math.max(1, width - 1))}…`;
  return kept;
}

/** A <text> of several lines (tspans), the first baseline at y, `lineHeight` apart; the full label as its tooltip. */
export function multilineText(
  attrs: Record<string, string | number | undefined> & { x: number; y: number },
  lines: string[],
  full: string,
  lineHeight = 14,
): string {
  const spans = lines.map((l, i) => tag('tspan', { x: attrs.x, dy: i === 0 ? 0 : lineHeight }, esc(l)));
  return tag('text', attrs, tag('title', {}, esc(full)), ...spans);
}
