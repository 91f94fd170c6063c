import { esc, figure, PALETTE, pctLabel, percentAxis, tag } from './svg';

/** Lines of values in [0, 1] against a numeric x (shot counts), x on a log2(x + 1) scale so 0 shots (zero-shot) has a place. */
export interface LineChart {
  title: string;
  caption: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; dashed?: boolean; points: { x: number; y: number }[] }[];
}

export function lineChart(c: LineChart): string {
  const left = 64;
  const top = 16;
  const plotW = 420;
  const plotH = 220;
  const xs = [...new Set(c.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const lx = (x: number) => Math.log2(x + 1);
  const [lo, hi] = [lx(xs[0] ?? 1), lx(xs.at(-1) ?? 1)];
  const xOf = (x: number) => left + (hi > lo ? ((lx(x) - lo) / (hi - lo)) * plotW : plotW / 2);
  const yOf = (v: number) => top + plotH * (1 - v);
  const legendY = top + plotH + 56;
  const height = legendY + 20 * c.series.length + 6;
  const width = left + plotW + 30;
  const parts = [percentAxis(left, left + plotW, yOf, c.yLabel, 16)];
  for (const x of xs) parts.push(tag('text', { x: xOf(x), y: top + plotH + 18, 'text-anchor': 'middle', class: 'tick' }, String(x)));
  parts.push(tag('text', { x: left + plotW / 2, y: top + plotH + 38, 'text-anchor': 'middle', class: 'axis-label' }, esc(c.xLabel)));
  c.series.forEach((s, si) => {
    const colour = PALETTE[si % PALETTE.length]!;
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(
      tag('polyline', {
        class: 'series',
        'data-series': s.name,
        fill: 'none',
        stroke: colour,
        'stroke-width': 2.5,
        'stroke-dasharray': s.dashed ? '6 4' : undefined,
        points: pts.map((p) => `${xOf(p.x).toFixed(1)},${yOf(p.y).toFixed(1)}`).join(' '),
      }),
    );
    for (const p of pts) {
      parts.push(
        tag(
          'circle',
          { class: 'point', 'data-series': s.name, 'data-x': p.x, 'data-value': p.y.toFixed(4), cx: xOf(p.x), cy: yOf(p.y), r: 4, fill: colour },
          tag('title', {}, esc(`${s.name}, ${p.x} shots: ${pctLabel(p.y)}`)),
        ),
      );
    }
    const y = legendY + 20 * si;
    parts.push(
      tag('line', { x1: left, x2: left + 22, y1: y - 4, y2: y - 4, stroke: colour, 'stroke-width': 2.5, 'stroke-dasharray': s.dashed ? '6 4' : undefined }),
    );
    parts.push(tag('text', { x: left + 30, y, class: 'legend' }, esc(s.name)));
  });
  const svg = tag(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': c.title },
    ...parts,
  );
  return figure('shots-lines', c.title, c.caption, svg);
}
