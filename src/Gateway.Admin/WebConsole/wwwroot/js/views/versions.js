// The versions of an agent (who made them, notes, hashes) and the diff of any two, old and new value side by side.

import { h } from '../dom.js';
import { shortHash, version } from '../format.js';
import { when } from './common.js';

export function versionsTable(agent, versions, canOperate, deploy) {
  if (versions.length === 0) return h('p', { class: 'muted' }, 'No versions yet.');
  const headers = ['Version', 'Created', 'By', 'Notes', 'Hash', ...(canOperate ? ['Deploy'] : [])];
  return h('table', { class: 'versions' },
    h('caption', { class: 'visually-hidden' }, 'Versions, newest first'),
    h('thead', {}, h('tr', {}, headers.map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, [...versions].reverse().map(v => h('tr', { dataset: { version: v.number } },
      h('th', { scope: 'row' }, version(v.number), tags(agent, v)),
      h('td', {}, when(v.createdAt)),
      h('td', {}, v.createdBy ?? '—'),
      h('td', { class: 'notes' }, v.notes ?? '', v.basedOn ? h('div', { class: 'muted' }, `based on ${version(v.basedOn)}`) : null),
      h('td', {},
        h('code', { title: v.hash }, shortHash(v.hash)),
        h('details', { class: 'hashes' },
          h('summary', {}, 'components'),
          h('dl', {}, Object.entries(v.componentHashes ?? {}).flatMap(([name, hash]) => [h('dt', {}, name), h('dd', {}, h('code', { title: hash }, shortHash(hash)))])))),
      canOperate ? h('td', { class: 'deploy' }, deployButtons(agent, v, deploy)) : null))));
}

function tags(agent, v) {
  const list = [];
  if (v.number === agent.stable) list.push(['stable', 'stable']);
  if (v.number === agent.canary) list.push(['canary', 'canary']);
  if (v.number === agent.lastKnownGood) list.push(['good', 'known good']);
  if (v.rolledBack) list.push(['rolled-back', 'rolled back']);
  return list.map(([cls, text]) => [' ', h('span', { class: `badge tag-${cls}` }, text)]);
}

function deployButtons(agent, v, deploy) {
  if (v.number === agent.stable) return h('span', { class: 'muted' }, 'serving');
  return [
    agent.stable && !agent.canary && v.number !== agent.stable
      ? h('button', { type: 'button', 'aria-label': `Deploy version ${v.number} as canary`, onclick: () => deploy(v.number, 'canary') }, 'Canary')
      : null,
    ' ',
    h('button', { type: 'button', 'aria-label': `Deploy version ${v.number} immediately`, onclick: () => deploy(v.number, 'immediate') }, 'Immediate'),
  ];
}

/** Two version pickers that keep their choice when the list of versions is drawn again. */
export function fillPickers(from, to, agent, versions) {
  const numbers = versions.map(v => v.number);
  const defaults = agent.canary && agent.stable ? [agent.stable, agent.canary] : numbers.slice(-2);
  for (const [select, fallback] of [[from, defaults[0]], [to, defaults[defaults.length - 1]]]) {
    const chosen = Number(select.value) || fallback;
    select.replaceChildren(...numbers.map(n => h('option', { value: n }, version(n))));
    if (numbers.includes(chosen)) select.value = String(chosen);
  }
}

/** The diff answer with each changed path's old and new value, read from the two versions. */
export function diffView(diff, a, b) {
  const components = Object.entries(diff.components);
  return h('div', { class: 'diff' },
    h('p', {}, `${version(diff.from)} → ${version(diff.to)}: `,
      components.filter(([, c]) => c.status === 'changed').length
        ? `${components.filter(([, c]) => c.status === 'changed').map(([name]) => name).join(', ')} changed`
        : 'the same content'),
    h('ul', { class: 'diff-components' }, components.map(([name, c]) => h('li', {},
      h('span', { class: `badge diff-${c.status}` }, c.status), ' ', h('strong', {}, name),
      c.status === 'changed' ? h('table', { class: 'diff-values' },
        h('caption', { class: 'visually-hidden' }, `Changes in ${name}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, `Old (${version(diff.from)})`), h('th', { scope: 'col' }, `New (${version(diff.to)})`))),
        h('tbody', {}, (c.changed ?? []).map(path => h('tr', {},
          h('th', { scope: 'row' }, h('code', {}, path)),
          h('td', { class: 'old' }, h('pre', {}, show(valueAt(a, path)))),
          h('td', { class: 'new' }, h('pre', {}, show(valueAt(b, path))))))))
        : null))));
}

/** Reads `prompt.fewShot[0].content` from a version. */
export function valueAt(root, path) {
  let value = root;
  for (const [, name, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (value === undefined || value === null) return undefined;
    value = value[name ?? Number(index)];
  }
  return value;
}

const show = value => value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);

