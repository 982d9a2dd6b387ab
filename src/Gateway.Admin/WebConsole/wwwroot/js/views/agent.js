// One agent: release state and actions, the live per-version comparison with charts, rule verdicts, versions and
// their diff, and the history.

import { agents } from '../api.js';
import { SampleBuffer } from '../chart.js';
import { h, renderIf } from '../dom.js';
import { percent, version } from '../format.js';
import { actionBar, confirmDeploy } from './actions.js';
import { degradation, ruleBadge, statusBadge, when } from './common.js';
import { charts, comparedVersions, comparisonTable, WINDOWS } from './figures.js';
import { formatValue, timeline } from './history.js';
import { diffView, fillPickers, versionsTable } from './versions.js';

/** Charts cover the last five minutes; each point is the figures of the ten seconds before a poll. */
const CHART_SPAN_MS = 5 * 60 * 1000;
const SAMPLE_WINDOW = '10s';

export function agentPage(name, canOperate) {
  const section = (id, title, ...content) => h('section', { class: `panel panel-${id}`, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), ...content);

  const summary = h('div', { class: 'summary' });
  const actions = h('div');
  const result = h('div', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const windowSelect = h('select', { id: 'window' }, WINDOWS.map(w => h('option', { value: w }, w)));
  windowSelect.value = '5m';
  const comparison = h('div', { class: 'table-wrap' });
  const chartGrid = h('div', { class: 'charts' });
  const rules = h('div');
  const versionList = h('div', { class: 'table-wrap' });
  const diffFrom = h('select', { id: 'diff-from' });
  const diffTo = h('select', { id: 'diff-to' });
  const diffOut = h('div', { 'aria-live': 'polite' });
  const history = h('div');
  const openEvidence = new Set();
  const samples = new SampleBuffer(CHART_SPAN_MS);
  let state = { agent: null, versions: [], generation: null };

  const report = (node, kind) => {
    result.className = `result ${kind}`;
    result.replaceChildren(node);
    refresh().catch(() => {});
  };

  const element = h('article', { class: 'page agent-page', 'aria-labelledby': 'agent-title' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Agents'), ' / ', name),
    h('h1', { id: 'agent-title' }, name),
    summary,
    canOperate ? actions : null,
    result,
    h('div', { class: 'grid-2' },
      section('comparison', 'Live comparison',
        h('div', { class: 'controls' }, h('label', { for: 'window' }, 'Window'), windowSelect),
        comparison),
      section('rules', 'Rules', rules)),
    section('charts', 'Recent figures', h('p', { class: 'muted' }, `Each point: the ${SAMPLE_WINDOW} before a refresh, over the last minutes this page has been open.`), chartGrid),
    section('versions', 'Versions', versionList),
    section('diff', 'Compare versions',
      h('div', { class: 'controls' },
        h('label', { for: 'diff-from' }, 'From'), diffFrom,
        h('label', { for: 'diff-to' }, 'To'), diffTo,
        h('button', { type: 'button', onclick: () => showDiff() }, 'Show diff')),
      diffOut),
    section('history', 'History', history));

  windowSelect.addEventListener('change', () => refreshFigures().catch(() => {}));

  async function showDiff() {
    const [a, b] = [Number(diffFrom.value), Number(diffTo.value)];
    if (!a || !b) return;
    const [diff, left, right] = await Promise.all([agents.diff(name, a, b), agents.version(name, a), agents.version(name, b)]);
    diffOut.replaceChildren(diffView(diff, left, right));
  }

  const roleOf = n => n === state.agent?.stable ? 'stable' : n === state.agent?.canary ? 'canary' : 'other';

  async function refreshFigures() {
    const agent = state.agent;
    if (!agent) return;
    const metrics = await agents.metrics(name, windowSelect.value);
    renderIf(comparison, { m: metrics.versions, s: agent.stable, c: agent.canary, w: metrics.window },
      () => comparisonTable(comparedVersions(agent, metrics), metrics.window));
  }

  async function refreshCharts() {
    const sample = await agents.metrics(name, SAMPLE_WINDOW);
    const now = Date.now();
    samples.add(now, Object.fromEntries(sample.versions.map(v => [v.version, v])));
    chartGrid.replaceChildren(...charts(samples, roleOf, now));
  }

  async function refresh() {
    const agent = await agents.get(name);
    const changed = agent.generation !== state.generation;
    state = {
      agent,
      generation: agent.generation,
      versions: changed ? await agents.versions(name) : state.versions,
    };

    renderIf(summary, agent, () => summaryView(agent));
    if (canOperate) {
      renderIf(actions, [agent.generation, state.versions.length], () => actionBar(agent, state.versions, report));
    }
    renderIf(rules, agent.rules ?? [], r => rulesView(r));
    if (changed) {
      renderIf(versionList, [agent.generation, state.versions], () => versionsTable(agent, state.versions, canOperate,
        (n, strategy) => confirmDeploy(agent, n, strategy, report)));
      fillPickers(diffFrom, diffTo, agent, state.versions);
      const events = await agents.history(name, 100);
      renderIf(history, events, () => timeline(events, openEvidence));
    }
    await Promise.all([refreshFigures(), refreshCharts()]);
  }

  return { element, refresh };
}

function summaryView(a) {
  const facts = [
    ['status', statusBadge(a.status)],
    ['stable', version(a.stable)],
    a.canary ? ['canary', `${version(a.canary)} at ${percent(a.canaryPercent)}`] : null,
    a.rollout ? ['rollout', `step ${a.rollout.stepIndex + 1} of ${a.rollout.steps.length} (${a.rollout.steps.map(s => `${s}%`).join(', ')}, ${a.rollout.stepDuration} each)${a.rollout.paused ? ', paused' : ''}`] : null,
    ['last known good', version(a.lastKnownGood)],
    ['rollback target', version(a.rollbackTarget)],
    a.degradation ? ['degradation', degradation(a)] : null,
    ['updated', when(a.updatedAt)],
  ].filter(Boolean);
  return h('dl', { class: 'facts' }, facts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}

function rulesView(rules) {
  if (rules.length === 0) return h('p', { class: 'muted' }, 'This agent has no rules.');
  return h('ul', { class: 'rules' }, rules.map(rule => {
    const metric = rule.text.match(/when\s+([a-z0-9_]+)/)?.[1];
    return h('li', {},
      ruleBadge(rule.state), ' ', h('span', { class: 'rule-text' }, rule.text),
      rule.value !== undefined || rule.baseline !== undefined
        ? h('div', { class: 'muted' },
          `${version(rule.subject)} ${formatValue(metric, rule.value)}`,
          rule.subjectRequests !== undefined ? ` over ${rule.subjectRequests} requests` : '',
          rule.baseline !== undefined ? ` · baseline ${formatValue(metric, rule.baseline)}` : '',
          rule.baseline !== undefined && rule.baselineRequests !== undefined ? ` over ${rule.baselineRequests} requests` : '',
          rule.evaluatedAt ? [' · evaluated ', when(rule.evaluatedAt)] : '')
        : null);
  }));
}
