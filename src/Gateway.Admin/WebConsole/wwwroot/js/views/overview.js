// Every agent at a glance: release state, rules, the last rollback and drill, degradation.

import { agents } from '../api.js';
import { h, renderIf } from '../dom.js';
import { percent, trigger, version } from '../format.js';
import { degradation, drillResult, nextDrillAt, ruleSummary, statusBadge, when } from './common.js';

export function overviewPage() {
  const body = h('div', { class: 'table-wrap' });
  const element = h('section', { class: 'page', 'aria-labelledby': 'overview-title' },
    h('h1', { id: 'overview-title' }, 'Agents'),
    body);

  // History is read again only when an agent's generation moved: every change writes one event.
  const latest = new Map();   // name -> { generation, rollback, drill }

  async function lastEvents(agent) {
    const known = latest.get(agent.name);
    if (known?.generation === agent.generation) return known;
    const events = await agents.history(agent.name, 200);
    const found = {
      generation: agent.generation,
      rollback: events.find(e => e.type === 'rollback') ?? null,
      drill: events.find(e => e.type === 'drill') ?? null,
    };
    latest.set(agent.name, found);
    return found;
  }

  async function refresh() {
    const list = await agents.list();
    // Rule states are only in the answer for one agent.
    const rows = await Promise.all(list.map(async summary => {
      const [agent, events] = await Promise.all([agents.get(summary.name), lastEvents(summary)]);
      return { agent, events };
    }));
    renderIf(body, rows, () => rows.length === 0
      ? h('p', { class: 'muted' }, 'No agents yet. Define one with PUT /admin/agents/{agent}.')
      : table(rows));
  }

  return { element, refresh };
}

function table(rows) {
  return h('table', { class: 'agents' },
    h('caption', { class: 'visually-hidden' }, 'Agents and their release state'),
    h('thead', {}, h('tr', {},
      ['Agent', 'Status', 'Stable', 'Canary', 'Canary %', 'Rules', 'Last rollback', 'Degradation', 'Last drill']
        .map(title => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, rows.map(({ agent, events }) => h('tr', { dataset: { agent: agent.name } },
      h('th', { scope: 'row' }, h('a', { href: `#/agents/${encodeURIComponent(agent.name)}` }, agent.name)),
      h('td', { 'data-label': 'Status' }, statusBadge(agent.status)),
      h('td', { 'data-label': 'Stable' }, version(agent.stable)),
      h('td', { 'data-label': 'Canary' }, version(agent.canary)),
      h('td', { 'data-label': 'Canary %' }, agent.canary ? percent(agent.canaryPercent) : '—'),
      h('td', { 'data-label': 'Rules' }, ruleSummary(agent.rules)),
      h('td', { 'data-label': 'Last rollback' }, events.rollback
        ? [when(events.rollback.at), ' ', h('span', { class: 'muted', title: events.rollback.actor }, trigger(events.rollback.actor))]
        : '—'),
      h('td', { 'data-label': 'Degradation' }, degradation(agent) ?? '—'),
      h('td', { 'data-label': 'Last drill' }, lastDrill(agent, events.drill))))));
}

function lastDrill(agent, event) {
  const next = nextDrillAt(agent);
  const result = drillResult(event);
  return [
    event ? [when(event.at), ' ', result ? h('span', { class: `badge drill-${result}` }, result) : null] : '—',
    next ? h('div', { class: 'muted' }, 'next ', when(next)) : null,
  ];
}
