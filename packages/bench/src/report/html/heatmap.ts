import { reasonGist } from '../lead';
import { esc, figure, multilineText, pctLabel, tag, wrapText } from './svg';

/** A query × reference matrix of values in [0, 1]; undefined cells are pairs that cannot run. */
export interface HeatMap {
  title: string;
  caption: string;
  rows: string[];
  cols: string[];
  values: (number | undefined)[][];
  /** Why each undefined cell is n/a (the harness's reason), shown in its tooltip and listed under the map. */
  reasons?: (string | undefined)[][];
  /** The value the colours are centred on (white): M(old, old). Default: the mean of the shown values. */
  reference?: { value: number; label: string };
  /** Widest the figure may be, in px (default 1,300: it fits a 1,400 px page). */
  maxWidth?: number;
}

/**
 * Diverging colour relative to the reference: white at it, blue above, red below, full colour
 * at ±span (the largest deviation shown), so the differences that matter are visible even when
 * every value lies between 80 and 90 %.
 */
export function relativeColour(v: number, reference: number, span: number): string {
  const t = span > 0 ? Math.max(-1, Math.min(1, (v - reference) / span)) : 0;
  const [r, g, b] = t >= 0 ? [33, 102, 172] : [178, 24, 43];
  const a = Math.abs(t);
  const mix = (x: number) => Math.round(255 + (x - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

export function heatMap(h: HeatMap): string {
  const shown = h.values.flat().filter((v): v is number => v !== undefined && Number.isFinite(v));
  const reference = h.reference?.value ?? (shown.length ? shown.reduce((a, b) => a + b, 0) / shown.length : 0);
  const span = Math.max(0.005, ...shown.map((v) => Math.abs(v - reference)));
  const maxWidth = h.maxWidth ?? 1300;
  // Row labels wrap at 22 characters; cells share what is left, between 52 and 84 px.
  const rowLines = h.rows.map((r) => wrapText(r, 22, 2));
  const left = Math.max(80, Math.max(...rowLines.flat().map((l) => l.length)) * 7 + 16);
  const cell = Math.max(52, Math.min(84, Math.floor((maxWidth - left - 20) / Math.max(1, h.cols.length))));
  const colLines = h.cols.map((c) => wrapText(c, Math.max(6, Math.floor((cell - 6) / 6.5)), 4));
  const headLines = Math.max(1, ...colLines.map((l) => l.length));
  const top = 34 + headLines * 13;
  const width = left + h.cols.length * cell + 20;
  const height = top + h.rows.length * cell + 8;
  const parts: string[] = [
    tag('text', { x: left + (h.cols.length * cell) / 2, y: 14, 'text-anchor': 'middle', class: 'axis-label' }, 'module built on (reference) →'),
    tag('text', { x: 8, y: top - 6, class: 'axis-label' }, 'query ↓'),
  ];
  h.cols.forEach((c, ci) => {
    const lines = colLines[ci]!;
    // Bottom-aligned: the last line sits just above the cells.
    parts.push(
      multilineText({ x: left + ci * cell + cell / 2, y: top - 8 - (lines.length - 1) * 13, 'text-anchor': 'middle', class: 'category' }, lines, c, 13),
    );
  });
  h.rows.forEach((r, ri) => {
    const y = top + ri * cell;
    const lines = rowLines[ri]!;
    parts.push(multilineText({ x: left - 8, y: y + cell / 2 + 4 - ((lines.length - 1) * 14) / 2, 'text-anchor': 'end', class: 'category' }, lines, r));
    h.cols.forEach((c, ci) => {
      const v = h.values[ri]![ci];
      const x = left + ci * cell;
      const ok = v !== undefined && Number.isFinite(v);
      const reason = h.reasons?.[ri]?.[ci] ?? 'the module cannot take these features';
      const fill = ok ? relativeColour(v, reference, span) : '#e6e6e6';
      const dark = ok && Math.abs(v - reference) / span > 0.6;
      parts.push(
        tag(
          'rect',
          {
            class: ok ? 'cell' : 'cell na',
            x,
            y,
            width: cell - 2,
            height: cell - 2,
            fill,
            'data-query': r,
            'data-reference': c,
            'data-value': ok ? v.toFixed(4) : 'n/a',
            ...(ok ? {} : { 'data-reason': reason }),
          },
          tag(
            'title',
            {},
            esc(
              `query ${r}, module built on ${c}: ${ok ? `${pctLabel(v)} (${v >= reference ? '+' : ''}${((v - reference) * 100).toFixed(1)} against ${h.reference?.label ?? 'the mean'})` : `n/a: ${reason}`}`,
            ),
          ),
        ),
      );
      parts.push(
        tag(
          'text',
          { x: x + cell / 2 - 1, y: y + cell / 2 + 5, 'text-anchor': 'middle', class: 'cell-value', fill: dark ? '#ffffff' : '#222222' },
          ok ? (v * 100).toFixed(1) : 'n/a',
        ),
      );
    });
  });
  const svg = tag(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': h.title },
    ...parts,
  );
  const scale = `Colours are relative: white at ${h.reference?.label ?? 'the mean of the shown values'} = ${(reference * 100).toFixed(1)}, blue above, red below, full colour at ±${(span * 100).toFixed(1)} points (the largest deviation shown).`;
  const reasons = [
    ...new Set(
      (h.reasons ?? [])
        .flat()
        .filter((r): r is string => !!r)
        .map(reasonGist),
    ),
  ];
  const na = reasons.length ? ` n/a: ${reasons.join('; ')} (each cell's full reason in its tooltip).` : '';
  return figure('compat-heatmap', h.title, `${h.caption} ${scale}${na}`, svg);
}
