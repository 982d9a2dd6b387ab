// The live comparison: each version's figures side by side over the chosen window, and a small chart per figure
// over the last minutes.

import { h } from '../dom.js';
import { lineChart } from '../chart.js';
import { ms, num, pct, usd, version } from '../format.js';

export const FIGURES = [
  { key: 'requests', label: 'Requests', format: v => num(v) },
  { key: 'taskCompletionRate', label: 'Task completion', format: pct },
  { key: 'errorRate', label: 'Error rate', format: pct },
  { key: 'meanMs', label: 'Average latency', format: ms },
  { key: 'p95Ms', label: 'p95 latency', format: ms },
  { key: 'costPerRequest', label: 'Cost per request', format: usd },
  { key: 'tokensPerRequest', label: 'Tokens per request', format: v => num(v, 1) },
  // Only agents with a judge have scores: the row and its chart appear once some version has one.
  { key: 'qualityScore', label: 'Judged quality', format: v => num(v, 3), optional: true },
];

/** The figures worth showing: optional ones only when some version has a value. */
const shown = (figures, hasValue) => figures.filter(f => !f.optional || hasValue(f.key));

/** Charts plot the request rate rather than a window's count, so that they do not depend on the window. */
const CHARTED = FIGURES.map(f => f.key === 'requests'
  ? { key: 'requestRate', label: 'Requests per second', format: v => (v === null || v === undefined ? '—' : `${num(v, 2)}/s`) }
  : f);

export const WINDOWS = ['1m', '5m', '15m', '1h'];

const roleText = role => role === 'inactive' ? '' : role;

/** Versions to compare: those with figures in the window, and the stable and canary even without any. */
export function comparedVersions(agent, metrics) {
  const byVersion = new Map(metrics.versions.map(v => [v.version, v]));
  for (const [n, role] of [[agent.stable, 'stable'], [agent.canary, 'canary']]) {
    if (n && !byVersion.has(n)) byVersion.set(n, { version: n, role });
  }
  const order = v => v.role === 'stable' ? 0 : v.role === 'canary' ? 1 : 2;
  return [...byVersion.values()].sort((a, b) => order(a) - order(b) || b.version - a.version);
}

export function comparisonTable(versions, window) {
  if (versions.length === 0) return h('p', { class: 'muted' }, 'Nothing deployed and no traffic in this window.');
  return h('table', { class: 'comparison' },
    h('caption', { class: 'visually-hidden' }, `Figures per version over the last ${window}`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Figure'),
      versions.map(v => h('th', { scope: 'col', class: `col-${v.role}` }, version(v.version), ' ', h('span', { class: 'role' }, roleText(v.role)))))),
    h('tbody', {}, shown(FIGURES, key => versions.some(v => v[key] !== null && v[key] !== undefined)).map(f => h('tr', {},
      h('th', { scope: 'row' }, f.label),
      versions.map(v => h('td', { class: `col-${v.role}` }, f.format(v[f.key]), f.key === 'requests' && v.errors ? h('span', { class: 'muted' }, ` (${num(v.errors)} errors)`) : null))))));
}

/** The x axis grows with the samples the page has seen, from one minute up to the buffer's span. */
export function charts(buffer, roleOf, now) {
  const first = buffer.samples[0]?.t ?? now;
  const spanMs = Math.min(buffer.spanMs, Math.max(60_000, now - first));
  const minutes = spanMs < 90_000 ? 'minute' : `${Math.round(spanMs / 60_000)} minutes`;
  const hasValue = key => buffer.series(key, roleOf).some(s => s.points.some(p => p[1] !== null && p[1] !== undefined));
  return shown(CHARTED, hasValue).map(f => {
    const series = buffer.series(f.key, roleOf);
    const latest = series.map(s => [s, [...s.points].reverse().find(p => p[1] !== null)?.[1] ?? null]);
    const summary = latest.map(([s, v]) => `${version(s.version)} ${f.format(v)}`).join(', ') || 'no traffic';
    return h('figure', { class: 'chart-card' },
      h('figcaption', {}, f.label),
      lineChart(series, spanMs, now, `${f.label} over the last ${minutes}: ${summary}`),
      h('ul', { class: 'legend' }, latest.map(([s, v]) => h('li', { class: s.role }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), `${version(s.version)} ${f.format(v)}`))));
  });
}
