// Draws docs/scenes-grid.png: the first 12 scenes of a training stream (seed 1, train split) at
// 3x, each with its caption underneath in a 3x5 pixel font, and prints the captions as Markdown.
// Usage: npm run build -w @hotplug/data && node scripts/scenes-grid.mjs
import { PNG } from 'pngjs';
import { writeFileAtomic } from '@hotplug/runtime';
import { sceneWorld } from '../dist/index.js';

// 3x5 glyphs, rows top to bottom; captions are drawn in capitals.
const GLYPHS = {
  A: [' # ', '# #', '###', '# #', '# #'],
  B: ['## ', '# #', '## ', '# #', '## '],
  C: [' ##', '#  ', '#  ', '#  ', ' ##'],
  D: ['## ', '# #', '# #', '# #', '## '],
  E: ['###', '#  ', '## ', '#  ', '###'],
  F: ['###', '#  ', '## ', '#  ', '#  '],
  G: [' ##', '#  ', '# #', '# #', ' ##'],
  H: ['# #', '# #', '###', '# #', '# #'],
  I: ['###', ' # ', ' # ', ' # ', '###'],
  J: ['  #', '  #', '  #', '# #', ' # '],
  K: ['# #', '# #', '## ', '# #', '# #'],
  L: ['#  ', '#  ', '#  ', '#  ', '###'],
  M: ['# #', '###', '###', '# #', '# #'],
  N: ['## ', '# #', '# #', '# #', '# #'],
  O: [' # ', '# #', '# #', '# #', ' # '],
  P: ['## ', '# #', '## ', '#  ', '#  '],
  Q: [' # ', '# #', '# #', '## ', ' ##'],
  R: ['## ', '# #', '## ', '# #', '# #'],
  S: [' ##', '#  ', ' # ', '  #', '## '],
  T: ['###', ' # ', ' # ', ' # ', ' # '],
  U: ['# #', '# #', '# #', '# #', '###'],
  V: ['# #', '# #', '# #', '# #', ' # '],
  W: ['# #', '# #', '###', '###', '# #'],
  X: ['# #', '# #', ' # ', '# #', '# #'],
  Y: ['# #', '# #', ' # ', ' # ', ' # '],
  Z: ['###', '  #', ' # ', '#  ', '###'],
  0: ['###', '# #', '# #', '# #', '###'],
  1: [' # ', '## ', ' # ', ' # ', '###'],
  2: ['## ', '  #', ' # ', '#  ', '###'],
  3: ['## ', '  #', ' # ', '  #', '## '],
  4: ['# #', '# #', '###', '  #', '  #'],
  5: ['###', '#  ', '## ', '  #', '## '],
  6: [' ##', '#  ', '###', '# #', '###'],
  7: ['###', '  #', ' # ', ' # ', ' # '],
  8: ['###', '# #', '###', '# #', '###'],
  9: ['###', '# #', '###', '  #', '## '],
  '-': ['   ', '   ', '###', '   ', '   '],
  ',': ['   ', '   ', '   ', ' # ', '#  '],
  '.': ['   ', '   ', '   ', '   ', ' # '],
  ':': ['   ', ' # ', '   ', ' # ', '   '],
  ';': ['   ', ' # ', '   ', ' # ', '#  '],
  "'": [' # ', ' # ', '   ', '   ', '   '],
  '/': ['  #', '  #', ' # ', '#  ', '#  '],
};

const COLS = 4,
  ROWS = 3,
  ZOOM = 3,
  CANVAS = 64,
  FONT = 2,
  PAD = 8;
const CELL = CANVAS * ZOOM;
const CHAR_W = 4 * FONT,
  LINE_H = 7 * FONT;
const PER_LINE = Math.floor(CELL / CHAR_W);
const LINES = 11;
const CELL_H = CELL + PAD + LINES * LINE_H;

function wrap(text) {
  const lines = [];
  let line = '';
  for (const word of text.toUpperCase().split(' ')) {
    if ((line ? line.length + 1 : 0) + word.length > PER_LINE) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length > LINES) {
    lines.length = LINES;
    lines[LINES - 1] = `${lines[LINES - 1].slice(0, PER_LINE - 3)}...`;
  }
  return lines;
}

const world = sceneWorld('train');
const width = COLS * CELL + (COLS + 1) * PAD;
const height = ROWS * CELL_H + (ROWS + 1) * PAD;
const png = new PNG({ width, height });
png.data.fill(255);
const set = (x, y, r, g, b) => {
  const p = 4 * (y * width + x);
  png.data[p] = r;
  png.data[p + 1] = g;
  png.data[p + 2] = b;
  png.data[p + 3] = 255;
};
const captions = [];
for (let k = 0; k < COLS * ROWS; k++) {
  const { image, caption } = world.sample(1, k);
  captions.push(caption);
  const ox = PAD + (k % COLS) * (CELL + PAD);
  const oy = PAD + Math.floor(k / COLS) * (CELL_H + PAD);
  for (let y = 0; y < CELL; y++)
    for (let x = 0; x < CELL; x++) {
      const p = 3 * (Math.floor(y / ZOOM) * CANVAS + Math.floor(x / ZOOM));
      set(ox + x, oy + y, image[p], image[p + 1], image[p + 2]);
    }
  wrap(caption).forEach((line, l) => {
    [...line].forEach((ch, c) => {
      const glyph = GLYPHS[ch];
      if (!glyph) return;
      for (let gy = 0; gy < 5; gy++)
        for (let gx = 0; gx < 3; gx++) {
          if (glyph[gy][gx] !== '#') continue;
          for (let dy = 0; dy < FONT; dy++)
            for (let dx = 0; dx < FONT; dx++) set(ox + c * CHAR_W + gx * FONT + dx, oy + CELL + PAD + l * LINE_H + gy * FONT + dy, 20, 20, 20);
        }
    });
  });
}
const out = new URL('../docs/scenes-grid.png', import.meta.url).pathname;
writeFileAtomic(out, PNG.sync.write(png));
console.log(`wrote ${out} (${width}x${height})\n`);
captions.forEach((c, k) => {
  console.log(`${k + 1}. ${c}`);
});
