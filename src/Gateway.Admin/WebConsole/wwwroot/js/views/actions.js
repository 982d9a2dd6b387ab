// Release actions for operator tokens: roll back (one click, then a confirmation), promote, pause or resume, set the
// canary's weight, deploy, run a drill; and the answer each one gets. Viewer tokens never see these controls.

import { agents } from '../api.js';
import { confirm } from '../dialog.js';
import { h } from '../dom.js';
import { ms, num, percent, version } from '../format.js';

/** The actions bar; `report` shows an outcome (node) in the page's result area. */
export function actionBar(agent, versions, report) {
  const name = agent.name;
  const hasCanary = agent.canary !== undefined && agent.canary !== null;
  const serving = hasCanary ? agent.canary : agent.stable;
  const run = async (action, describe) => {
    try {
      report(describe(await action()), 'ok');
    } catch (error) {
      if (error.status !== 401) report(failure(error), 'error');
    }
  };

  const weightInput = h('input', {
    type: 'number', min: 0, max: 100, step: 'any', value: agent.canaryPercent ?? 0, id: 'weight-input', class: 'weight-input',
  });

  return h('div', { class: 'actions', role: 'group', 'aria-label': 'Release actions' },
    h('button', {
      type: 'button', class: 'danger', id: 'rollback-button', disabled: !serving || versions.length < 2,
      onclick: () => rollback(agent, versions, serving, report),
    }, 'Roll back'),
    hasCanary ? h('button', { type: 'button', onclick: () => run(() => agents.promote(name), changed('Promoted')) }, 'Promote') : null,
    hasCanary && agent.rollout?.paused
      ? h('button', { type: 'button', onclick: () => run(() => agents.resume(name), changed('Resumed')) }, 'Resume')
      : null,
    hasCanary && !agent.rollout?.paused
      ? h('button', { type: 'button', onclick: () => run(() => agents.pause(name), changed('Paused')) }, 'Pause')
      : null,
    hasCanary ? h('span', { class: 'weight' },
      h('label', { for: 'weight-input' }, 'Canary %'), weightInput,
      h('button', {
        type: 'button',
        onclick: () => run(() => agents.weight(name, Number(weightInput.value)), changed('Weight set')),
      }, 'Set weight'))
      : null,
    h('button', {
      type: 'button', id: 'drill-button', disabled: !agent.stable || hasCanary,
      title: hasCanary ? 'Drills run while no canary rolls out' : null,
      onclick: () => drill(agent, report),
    }, 'Run drill'));
}

async function rollback(agent, versions, serving, report) {
  const defaultTarget = agent.rollbackTarget;
  const candidates = versions.map(v => v.number).filter(n => n !== serving).reverse();
  const target = h('select', { id: 'rollback-target' }, candidates.map(n => h('option', { value: n },
    `${version(n)}${n === defaultTarget ? ' (default)' : ''}${n === agent.stable && agent.canary ? ' — the stable' : ''}`)));
  target.value = String(defaultTarget ?? candidates[0]);
  const reason = h('input', { type: 'text', id: 'rollback-reason', maxlength: 1000, placeholder: 'why (kept in the history)' });

  const chosen = await confirm({
    title: `Roll back ${agent.name}`,
    content: [
      h('p', {}, `Traffic leaves ${version(serving)}${agent.canary ? ' (the canary)' : ''} in one step.`),
      defaultTarget === undefined || defaultTarget === null
        ? h('p', { class: 'warning' }, 'There is no default target: choose the version to go to.') : null,
      h('label', { for: 'rollback-target' }, 'Target version'), target,
      h('label', { for: 'rollback-reason' }, 'Reason (optional)'), reason,
    ],
    confirmLabel: 'Confirm rollback',
    danger: true,
    collect: () => ({ to: Number(target.value), reason: reason.value.trim() }),
  });
  if (!chosen) return;

  // The default target is left to the gateway, which decides it on the state it commits against.
  const body = {};
  if (chosen.to !== defaultTarget) body.to = chosen.to;
  if (chosen.reason) body.reason = chosen.reason;
  try {
    report(rollbackAnswer(await agents.rollback(agent.name, body)), 'ok');
  } catch (error) {
    if (error.status !== 401) report(failure(error), 'error');
  }
}

async function drill(agent, report) {
  const ok = await confirm({
    title: `Run a rollback drill on ${agent.name}`,
    content: h('p', {}, 'The gateway rolls back to the default target, verifies every replica routes to it, restores the current stable and verifies again. Clients see the target only for the drill\'s milliseconds.'),
    confirmLabel: 'Run drill',
  });
  if (!ok) return;
  try {
    const answer = await agents.drill(agent.name);
    report(drillAnswer(answer), answer.result === 'passed' ? 'ok' : 'error');
  } catch (error) {
    if (error.status === 401) return;
    report(error.notAvailable ? h('p', {}, 'Drills are not available on this gateway.') : failure(error), 'error');
  }
}

export function confirmDeploy(agent, number, strategy, report) {
  const text = strategy === 'canary'
    ? `Version ${number} starts as a canary at ${percent(agent.definition?.rollout?.steps?.[0] ?? 5)} of traffic.`
    : `Version ${number} becomes the stable at once and takes all traffic${agent.canary ? '; the running canary ends' : ''}.`;
  return confirm({
    title: `Deploy ${version(number)} ${strategy === 'canary' ? 'as a canary' : 'immediately'}`,
    content: h('p', {}, text),
    confirmLabel: strategy === 'canary' ? 'Deploy as canary' : 'Deploy immediately',
  }).then(async ok => {
    if (!ok) return;
    try {
      report(changed('Deployed')(await agents.deploy(agent.name, number, strategy)), 'ok');
    } catch (error) {
      if (error.status !== 401) report(failure(error), 'error');
    }
  });
}

const fact = (term, value) => [h('dt', {}, term), h('dd', {}, value)];

function replicas(r) {
  if (!r) return '—';
  if (r.acked === undefined || r.total === undefined) return r.unknown ?? 'unknown';
  return `${r.acked} of ${r.total}${r.allAckedMs !== undefined ? ` (all in ${ms(r.allAckedMs)})` : ''}`;
}

export function rollbackAnswer(r) {
  return h('div', { class: 'answer', id: 'rollback-result' },
    h('h3', {}, `Rolled back ${version(r.from)} → ${version(r.to)}`),
    h('dl', {},
      fact('from', version(r.from)),
      fact('to', version(r.to)),
      fact('applied in', ms(r.applyMs)),
      fact('replicas acked', replicas(r.replicas)),
      r.reason ? fact('reason', r.reason) : null));
}

export function drillAnswer(d) {
  return h('div', { class: 'answer', id: 'drill-result' },
    h('h3', {}, `Drill ${d.result}: ${version(d.from)} → ${version(d.to)} and back`),
    h('dl', {},
      fact('rollback', ms(d.rollbackMs)),
      fact('verify', ms(d.verifyMs)),
      fact('restore', ms(d.restoreMs)),
      fact('total', ms(d.totalMs)),
      fact('replicas acked', replicas(d.replicas)),
      d.failure ? fact('failure', typeof d.failure === 'string' ? d.failure : JSON.stringify(d.failure)) : null));
}

const changed = verb => answer => h('div', { class: 'answer' },
  h('h3', {}, `${verb}: ${answer.event?.detail ?? answer.event?.type ?? ''}`),
  h('dl', {}, fact('applied in', ms(answer.applyMs)), fact('generation', num(answer.event?.generation))));

const failure = error => h('div', { class: 'answer' },
  h('h3', {}, error.problem?.title ?? 'Failed'),
  h('p', {}, error.message));
