// The history as a timeline, newest first. Every decision the gateway took by itself (a rule, a tool circuit, a
// drill) opens its evidence: the figures, counts, statistic and threshold, and the detect and apply times.

import { h } from '../dom.js';
import { ms, num, time, version } from '../format.js';
import { drillResult, when } from './common.js';

export function timeline(events, open) {
  if (events.length === 0) return h('p', { class: 'muted' }, 'No history yet.');
  return h('ol', { class: 'timeline' }, events.map(e => h('li', { class: `event type-${e.type}`, dataset: { event: e.id } },
    h('div', { class: 'event-head' },
      h('span', { class: `badge event-${e.type}` }, e.type),
      ' ', when(e.at),
      ' ', h('span', { class: 'actor' }, e.actor),
      e.from || e.to ? [' ', h('span', { class: 'versions' }, `${version(e.from)} → ${version(e.to)}`)] : null),
    e.detail ? h('div', { class: 'detail' }, e.detail) : null,
    timings(e),
    automatic(e) ? evidence(e, open) : null)));
}

const timings = e => e.applyMs !== undefined || e.detectMs !== undefined
  ? h('div', { class: 'muted' },
    e.detectMs !== undefined ? `detected in ${ms(e.detectMs)} · ` : '',
    e.applyMs !== undefined ? `applied in ${ms(e.applyMs)}` : '')
  : null;

const automatic = e => e.evidence !== undefined && e.evidence !== null;

function evidence(e, open) {
  const details = h('details', { class: 'evidence', open: open.has(e.id) },
    h('summary', {}, e.type === 'drill' ? `Drill ${drillResult(e) ?? ''} — evidence` : 'Evidence'),
    h('dl', {}, [
      ...entries(e.evidence),
      ...(e.detectMs !== undefined ? [['detect time', ms(e.detectMs)]] : []),
      ...(e.applyMs !== undefined ? [['apply time', ms(e.applyMs)]] : []),
    ].flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])));
  details.addEventListener('toggle', () => details.open ? open.add(e.id) : open.delete(e.id));
  return details;
}

/** Known members read as sentences; anything else (a drill's or a circuit's evidence) is listed as it came. */
function entries(evidence) {
  const rows = [];
  const rest = { ...evidence };
  const take = key => { const v = rest[key]; delete rest[key]; return v; };
  const rule = take('rule');
  if (rule) rows.push(['rule', rule]);
  const metric = take('metric');
  if (metric) rows.push(['metric', metric]);
  const window = take('window');
  if (window) rows.push(['window', `${window.over ?? ''} (${time(window.from)} – ${time(window.to)})`]);
  for (const key of ['for', 'min']) if (rest[key] !== undefined) rows.push([key, String(take(key))]);
  for (const key of ['heldSince', 'decidedAt']) if (rest[key]) rows.push([key === 'heldSince' ? 'held since' : 'decided at', time(take(key))]);
  for (const key of ['subject', 'baseline']) {
    const side = take(key);
    if (side) rows.push([key, `${version(side.version)}: ${formatValue(metric, side.value)} over ${num(side.requests)} requests`]);
  }
  const confidence = take('confidence');
  if (confidence) {
    rows.push(['confidence', `${num(confidence.level * 100, 3)}% (${confidence.method})`]);
    rows.push(['statistic', `${num(confidence.statistic, 4)} against threshold ${num(confidence.threshold, 4)}`]);
  }
  for (const [key, value] of Object.entries(rest)) rows.push([key, typeof value === 'object' ? flat(value) : String(value)]);
  return rows;
}

const flat = value => value === null ? 'null'
  : Object.entries(value).map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? `{${flat(v)}}` : v}`).join(', ');

/** A rule's value: rates as percentages, latencies in ms, costs in USD. */
export function formatValue(metric, value) {
  if (value === null || value === undefined) return '—';
  if (!metric) return num(value, 4);
  if (metric === 'request_rate') return `${num(value, 2)}/s`;
  if (metric.endsWith('_rate')) return `${num(value * 100, 2)}%`;
  if (metric.endsWith('_latency')) return ms(value);
  if (metric === 'cost_per_request') return `$${num(value, 6)}`;
  return num(value, 2);
}
