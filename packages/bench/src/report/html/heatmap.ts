import { esc, figure, pctLabel, tag } from './svg';

/** A query × reference matrix of values in [0, 1]; undefined cells are incompatible pairs. */
export interface HeatMap {
  title: string;
  caption: string;
  rows: string[];
  cols: string[];
  values: (number | undefined)[][];
}

/** White → deep blue; the value's text turns white on dark cells. */
function colour(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(247, 8)}, ${mix(251, 48)}, ${mix(255, 107)})`;
}

export function heatMap(h: HeatMap): string {
  // Cells wide enough for their column label (about 7 px per character at 12 px).
  const cell = Math.max(78, Math.max(...h.cols.map((c) => c.length)) * 7 + 14);
  const left = Math.max(100, Math.max(...h.rows.map((r) => r.length)) * 7 + 20);
  const top = 58;
  const width = left + h.cols.length * cell + 20;
  const height = top + h.rows.length * cell + 8;
  const parts: string[] = [
    tag('text', { x: left + (h.cols.length * cell) / 2, y: 16, 'text-anchor': 'middle', class: 'axis-label' }, 'module built on (reference) →'),
    tag('text', { x: 12, y: top - 10, class: 'axis-label' }, 'query ↓'),
  ];
  h.cols.forEach((c, ci) => parts.push(tag('text', { x: left + ci * cell + cell / 2, y: top - 10, 'text-anchor': 'middle', class: 'category' }, esc(c))));
  h.rows.forEach((r, ri) => {
    const y = top + ri * cell;
    parts.push(tag('text', { x: left - 8, y: y + cell / 2 + 4, 'text-anchor': 'end', class: 'category' }, esc(r)));
    h.cols.forEach((c, ci) => {
      const v = h.values[ri]![ci];
      const x = left + ci * cell;
      const ok = v !== undefined && Number.isFinite(v);
      parts.push(
        tag('rect', {
          class: ok ? 'cell' : 'cell na',
          x, y, width: cell - 2, height: cell - 2,
          fill: ok ? colour(v) : '#e6e6e6',
          'data-query': r, 'data-reference': c, 'data-value': ok ? v.toFixed(4) : 'n/a',
        }, tag('title', {}, esc(`query ${r}, module built on ${c}: ${ok ? pctLabel(v) : 'cannot run (dimension mismatch)'}`))),
      );
      parts.push(
        tag('text', { x: x + cell / 2 - 1, y: y + cell / 2 + 5, 'text-anchor': 'middle', class: 'cell-value', fill: ok && v > 0.55 ? '#ffffff' : '#222222' },
          ok ? (v * 100).toFixed(1) : 'n/a'),
      );
    });
  });
  const svg = tag('svg', { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': h.title }, ...parts);
  return figure('compat-heatmap', h.title, h.caption, svg);
}
