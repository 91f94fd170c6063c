import { esc, figure, PALETTE, pctLabel, percentAxis, tag } from './svg';

/** A grouped bar chart of values in [0, 1]; undefined values are drawn as an "n/a" marker. */
export interface BarChart {
  kind: string;
  title: string;
  caption: string;
  yLabel: string;
  series: string[];
  groups: { label: string; values: (number | undefined)[] }[];
  /** Top of the value axis (default 1 = 100%). */
  max?: number;
  /** Value labels above bars: 'percent' (whole %) or 'fine' (one decimal). */
  labels?: 'percent' | 'fine';
}

export function barChart(c: BarChart): string {
  const barW = 30;
  const gap = 28;
  // Wide enough for the group's label under it (about 7 px per character at 12 px).
  const longest = Math.max(...c.groups.map((g) => g.label.length));
  const groupW = Math.max(c.series.length * barW + gap, longest * 7 + 12);
  const left = 64;
  const top = 16;
  const plotH = 220;
  const width = Math.max(420, left + c.groups.length * groupW + 20);
  const legendY = top + plotH + 48;
  const height = legendY + 20 * c.series.length + 4;
  const max = c.max ?? 1;
  const yOf = (v: number) => top + plotH * (1 - v / max);
  const parts = [percentAxis(left, width - 10, yOf, c.yLabel, 16, max)];
  c.groups.forEach((g, gi) => {
    const gx = left + gi * groupW + (groupW - c.series.length * barW) / 2;
    g.values.forEach((v, si) => {
      const x = gx + si * barW;
      const data = { 'data-group': g.label, 'data-series': c.series[si], 'data-value': v === undefined ? 'n/a' : v.toFixed(4) };
      if (v === undefined || !Number.isFinite(v)) {
        parts.push(tag('rect', { ...data, class: 'bar na', x, y: yOf(0) - 3, width: barW - 4, height: 3 }));
        parts.push(tag('text', { x: x + (barW - 4) / 2, y: yOf(0) - 8, 'text-anchor': 'middle', class: 'value na' }, 'n/a'));
        return;
      }
      const h = Math.max(0, plotH * Math.min(1, v / max));
      parts.push(
        tag('rect', { ...data, class: 'bar', x, y: yOf(0) - h, width: barW - 4, height: h, fill: PALETTE[si % PALETTE.length] },
          tag('title', {}, esc(`${g.label}, ${c.series[si]}: ${pctLabel(v)}`))),
      );
      parts.push(tag('text', { x: x + (barW - 4) / 2, y: yOf(0) - h - 4, 'text-anchor': 'middle', class: 'value' }, (v * 100).toFixed(c.labels === 'fine' ? 1 : 0)));
    });
    parts.push(tag('text', { x: gx + (c.series.length * barW) / 2, y: top + plotH + 18, 'text-anchor': 'middle', class: 'category' }, esc(g.label)));
  });
  c.series.forEach((s, si) => {
    const x = left;
    const y = legendY + 20 * si;
    parts.push(tag('rect', { x, y: y - 10, width: 12, height: 12, fill: PALETTE[si % PALETTE.length] }));
    parts.push(tag('text', { x: x + 18, y, class: 'legend' }, esc(s)));
  });
  const svg = tag('svg', { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': c.title }, ...parts);
  return figure(c.kind, c.title, c.caption, svg);
}
