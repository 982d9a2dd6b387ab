// How figures read on screen. Undefined figures (null: no requests, no outcomes) show as an em dash.

const DASH = '—';
const defined = x => x !== null && x !== undefined && !Number.isNaN(x);

export const num = (x, digits = 0) => defined(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : DASH;
export const pct = (fraction, digits = 1) => defined(fraction) ? `${(fraction * 100).toFixed(digits)}%` : DASH;
export const percent = (x, digits = 1) => defined(x) ? `${Number(x.toFixed(digits))}%` : DASH;
export const ms = x => defined(x) ? (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`) : DASH;
export const usd = x => defined(x) ? (x === 0 ? '$0' : `$${x < 0.01 ? x.toPrecision(2) : x.toFixed(x < 1 ? 4 : 2)}`) : DASH;
export const version = v => defined(v) ? `v${v}` : DASH;

export function time(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ago(iso, now = Date.now()) {
  if (!iso) return DASH;
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 0) return `in ${span(-seconds)}`;
  return seconds < 5 ? 'just now' : `${span(seconds)} ago`;
}

function span(seconds) {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** A content hash shortened for reading; the full one goes in a title. */
export const shortHash = hash => hash ? hash.replace(/^sha256:/, '').slice(0, 12) : DASH;

/** Who or what made a change, from a history event's actor. */
export function trigger(actor) {
  if (!actor) return DASH;
  if (actor.startsWith('rule:')) return 'rule';
  if (actor.startsWith('circuit:')) return 'circuit';
  if (actor === 'schedule' || actor === 'seed') return actor;
  return `manual (${actor})`;
}
