// Small line charts of one figure per version over the last minutes, drawn as inline SVG from the samples the page
// polls. Colours come from the stylesheet by role (stable, canary, other), so the page needs no inline style.

import { svg } from './dom.js';

const WIDTH = 240;
const HEIGHT = 64;

/**
 * @param series  [{ version, role, points: [[timeMs, value|null], …] }]
 * @param spanMs  the time the x axis covers, ending now
 * @param label   what the chart shows, for its accessible name
 */
export function lineChart(series, spanMs, now, label) {
  const values = series.flatMap(s => s.points.map(p => p[1])).filter(v => v !== null && v !== undefined);
  const max = Math.max(...values, 0) || 1;
  const x = t => ((t - (now - spanMs)) / spanMs) * WIDTH;
  const y = v => HEIGHT - 2 - (v / max) * (HEIGHT - 4);

  const lines = series.map(s => {
    // A gap in the data (no requests in a sample) breaks the line instead of drawing across it.
    const runs = [];
    let run = [];
    for (const [t, v] of s.points) {
      if (v === null || v === undefined) { if (run.length) runs.push(run); run = []; continue; }
      run.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    }
    if (run.length) runs.push(run);
    return runs.map(r => r.length === 1
      ? svg('circle', { cx: r[0].split(',')[0], cy: r[0].split(',')[1], r: 1.5, class: `dot ${s.role}` })
      : svg('polyline', { points: r.join(' '), class: `line ${s.role}`, 'vector-effect': 'non-scaling-stroke' }));
  });

  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, class: 'chart' },
    svg('line', { x1: 0, x2: WIDTH, y1: HEIGHT - 1, y2: HEIGHT - 1, class: 'axis', 'vector-effect': 'non-scaling-stroke' }),
    svg('line', { x1: 0, x2: WIDTH, y1: 2, y2: 2, class: 'grid', 'vector-effect': 'non-scaling-stroke' }),
    lines);
}

/** Keeps the samples of the last `spanMs`, one per poll: { t, versions: { [version]: figures } }. */
export class SampleBuffer {
  constructor(spanMs) {
    this.spanMs = spanMs;
    this.samples = [];
  }

  add(t, versions) {
    this.samples.push({ t, versions });
    const oldest = t - this.spanMs;
    while (this.samples.length && this.samples[0].t < oldest) this.samples.shift();
  }

  /** The series of one figure, per version seen in the buffer. */
  series(figure, roleOf) {
    const seen = new Set(this.samples.flatMap(s => Object.keys(s.versions)));
    return [...seen].map(Number).sort((a, b) => a - b).map(version => ({
      version,
      role: roleOf(version),
      points: this.samples.map(s => [s.t, s.versions[version]?.[figure] ?? null]),
    }));
  }
}
