// Pieces several pages share: status and rule-state badges, and reading drill and degradation facts from an agent.

import { h } from '../dom.js';
import { ago, time, version } from '../format.js';

const RULE_STATE_TEXT = { ok: 'ok', pending: 'pending', firing: 'firing', insufficient_data: 'insufficient data' };

export const statusBadge = status => h('span', { class: `badge status-${status}` }, String(status).replace('_', ' '));
export const ruleBadge = state => h('span', { class: `badge rule-${state}` }, RULE_STATE_TEXT[state] ?? state);

/** Counts of rule states, e.g. "2 ok · 1 pending". */
export function ruleSummary(rules) {
  if (!rules?.length) return h('span', { class: 'muted' }, 'no rules');
  const counts = {};
  for (const rule of rules) counts[rule.state] = (counts[rule.state] ?? 0) + 1;
  return h('span', { class: 'rule-summary' },
    Object.entries(counts).map(([state, n]) => h('span', { class: `badge rule-${state}`, title: RULE_STATE_TEXT[state] }, `${n} ${RULE_STATE_TEXT[state] ?? state}`)));
}

/** A timestamp that reads as "3 min ago", with the full time in its title. */
export const when = iso => iso ? h('time', { datetime: iso, title: time(iso) }, ago(iso)) : '—';

/** The degradation of an agent whose tool circuit is open, as the release state reports it. */
export function degradation(agent) {
  const d = agent.degradation;
  if (!d) return null;
  const parts = [`tool ${d.tool}`];
  if (d.routeTo !== undefined) parts.push(`routed to ${version(d.routeTo)}`);
  if (d.returnsTo !== undefined) parts.push(`returns to ${version(d.returnsTo)}`);
  return h('span', {}, h('span', { class: 'badge status-degraded' }, 'degraded'), ' ', parts.join(', '), d.since ? [' since ', when(d.since)] : null);
}

/** When the next scheduled drill is due, for agents whose definition schedules drills. */
export function nextDrillAt(agent) {
  const drill = agent.drill ?? {};
  return drill.nextDueAt ?? drill.nextDue ?? drill.nextAt ?? agent.nextDrillAt ?? null;
}

/** The outcome a drill event or answer reports: "passed" or "failed". */
export function drillResult(event) {
  const result = event?.result ?? event?.drill?.result ?? event?.evidence?.result;
  if (result) return result;
  const detail = String(event?.detail ?? '');
  return /fail/i.test(detail) ? 'failed' : /pass/i.test(detail) ? 'passed' : null;
}
