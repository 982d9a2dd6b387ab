// Every tool's circuit breaker and its state on each replica, on gateways that guard tools with circuits.

import { tools } from '../api.js';
import { h, renderIf } from '../dom.js';
import { when } from './common.js';

export function toolsPage() {
  const body = h('div', { class: 'table-wrap' });
  const element = h('section', { class: 'page', 'aria-labelledby': 'tools-title' },
    h('h1', { id: 'tools-title' }, 'Tools'),
    body);

  async function refresh() {
    let list;
    try {
      list = await tools();
    } catch (error) {
      if (!error.notAvailable) throw error;
      renderIf(body, 'not available', () => h('p', { class: 'muted' }, 'Tools are not available on this gateway.'));
      return;
    }
    renderIf(body, list, () => list.length === 0 ? h('p', { class: 'muted' }, 'No tools are configured.') : table(list));
  }

  return { element, refresh };
}

const stateBadge = state => h('span', { class: `badge circuit-${state}` }, state);

const settings = breaker => breaker
  ? h('dl', { class: 'inline' }, Object.entries(breaker).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))]))
  : '—';

function table(list) {
  return h('table', { class: 'tools' },
    h('caption', { class: 'visually-hidden' }, 'Tools and their circuit state per replica'),
    h('thead', {}, h('tr', {}, ['Tool', 'Endpoint', 'Timeout', 'Breaker', 'State', 'Replicas'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map(tool => h('tr', { dataset: { tool: tool.name } },
      h('th', { scope: 'row' }, tool.name),
      h('td', {}, h('code', {}, tool.endpoint ?? '—')),
      h('td', {}, tool.timeout ?? '—'),
      h('td', {}, settings(tool.breaker)),
      h('td', {}, stateBadge(tool.state)),
      h('td', {}, (tool.replicas ?? []).length === 0 ? '—' : h('ul', { class: 'replicas' }, tool.replicas.map(r =>
        h('li', {}, h('span', { class: 'replica' }, r.replica), ' ', stateBadge(r.state), ' ', when(r.reportedAt)))))))));
}
