import { esc, figure, multilineText, PALETTE, pctLabel, percentAxis, tag, wrapText } from './svg';

/** A grouped bar chart of values in [0, 1]; undefined values are drawn as an "n/a" marker. */
export interface BarChart {
  kind: string;
  title: string;
  caption: string;
  yLabel: string;
  series: string[];
  groups: {
    label: string;
    values: (number | undefined)[];
    /** Per value: a whisker from low to high (a confidence interval), where there is one. */
    intervals?: ({ low: number; high: number } | undefined)[];
  }[];
  /** Top of the value axis (default 1 = 100%). */
  max?: number;
  /** Value labels above bars: 'percent' (whole %) or 'fine' (one decimal, the default). */
  labels?: 'percent' | 'fine';
  /** A horizontal line across the plot, e.g. at M(old, old). */
  reference?: { value: number; label: string };
  /** Widest the figure may be, in px (default 1,300). */
  maxWidth?: number;
}

export function barChart(c: BarChart): string {
  const left = 64;
  const top = 16;
  const plotH = 220;
  const maxWidth = c.maxWidth ?? 1300;
  // Bars narrow and group labels wrap so that the whole chart fits maxWidth.
  const groups = Math.max(1, c.groups.length);
  // Room on the right for the reference line's label, clear of the bars.
  const refRoom = c.reference ? 104 : 0;
  const groupW = Math.max(c.series.length * 14 + 12, Math.min(Math.max(c.series.length * 30 + 28, 96), Math.floor((maxWidth - left - 20 - refRoom) / groups)));
  const barW = Math.min(30, Math.floor((groupW - 12) / Math.max(1, c.series.length)));
  const labelLines = c.groups.map((g) => wrapText(g.label, Math.max(6, Math.floor(groupW / 7)), 4));
  const labelH = Math.max(1, ...labelLines.map((l) => l.length)) * 14;
  const width = Math.max(420, left + groups * groupW + 20 + refRoom);
  const legendY = top + plotH + labelH + 24;
  const height = legendY + 20 * c.series.length + 4;
  const max = c.max ?? 1;
  const yOf = (v: number) => top + plotH * (1 - Math.min(1, Math.max(0, v / max)));
  const digits = c.labels === 'percent' ? 0 : 1;
  const parts = [percentAxis(left, width - 10 - refRoom, yOf, c.yLabel, 16, max)];
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
      const h = yOf(0) - yOf(v);
      const ci = g.intervals?.[si];
      parts.push(
        tag(
          'rect',
          {
            ...data,
            ...(ci ? { 'data-low': ci.low.toFixed(4), 'data-high': ci.high.toFixed(4) } : {}),
            class: 'bar',
            x,
            y: yOf(0) - h,
            width: barW - 4,
            height: h,
            fill: PALETTE[si % PALETTE.length],
          },
          tag('title', {}, esc(`${g.label}, ${c.series[si]}: ${pctLabel(v)}${ci ? ` (interval ${pctLabel(ci.low)} to ${pctLabel(ci.high)})` : ''}`)),
        ),
      );
      let labelY = yOf(0) - h - 4;
      if (ci) {
        const cx = x + (barW - 4) / 2;
        const [y1, y2] = [yOf(ci.low), yOf(ci.high)];
        parts.push(tag('line', { class: 'whisker', x1: cx, x2: cx, y1, y2 }));
        for (const y of [y1, y2]) parts.push(tag('line', { class: 'whisker', x1: cx - 4, x2: cx + 4, y1: y, y2: y }));
        labelY = Math.min(labelY, y2 - 4);
      }
      parts.push(tag('text', { x: x + (barW - 4) / 2, y: labelY, 'text-anchor': 'middle', class: 'value' }, (v * 100).toFixed(digits)));
    });
    parts.push(
      multilineText({ x: gx + (c.series.length * barW) / 2, y: top + plotH + 18, 'text-anchor': 'middle', class: 'category' }, labelLines[gi]!, g.label),
    );
  });
  if (c.reference && Number.isFinite(c.reference.value)) {
    const y = yOf(c.reference.value);
    parts.push(tag('line', { class: 'ref-line', 'data-reference-value': c.reference.value.toFixed(4), x1: left, x2: width - refRoom, y1: y, y2: y }));
    parts.push(
      tag(
        'text',
        { x: width - refRoom + 4, y: y + 4, 'text-anchor': 'start', class: 'ref-label' },
        esc(`${c.reference.label} = ${(c.reference.value * 100).toFixed(1)}`),
      ),
    );
  }
  c.series.forEach((s, si) => {
    const x = left;
    const y = legendY + 20 * si;
    parts.push(tag('rect', { x, y: y - 10, width: 12, height: 12, fill: PALETTE[si % PALETTE.length] }));
    parts.push(tag('text', { x: x + 18, y, class: 'legend' }, esc(s)));
  });
  const svg = tag(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': c.title },
    ...parts,
  );
  return figure(c.kind, c.title, c.caption, svg);
}
