// The console's shell: sign-in, the signed-in token's role, hash routes, and the 2-second refresh of the open page.

import { ApiError, onUnauthorized, session, whoami } from './api.js';
import { h } from './dom.js';
import { ago } from './format.js';

const REFRESH_MS = 2000;

const $ = id => document.getElementById(id);
const signin = $('signin');
const form = $('signin-form');
const tokenInput = $('token');
const signinError = $('signin-error');
const bar = $('bar');
const view = $('view');

let identity = null;   // { name, role } of the signed-in token
let page = null;       // the open page: { element, refresh(), dispose?() }
let pageId = 0;        // bumps on every navigation, so a stale refresh loop stops
let timer = 0;
let busy = null;       // the page whose refresh is under way: another tick for it meanwhile is not needed

function showSignIn(message = '') {
  identity = null;
  closePage();
  bar.hidden = true;
  view.replaceChildren();
  signin.hidden = false;
  signinError.textContent = message;
  tokenInput.value = '';
  tokenInput.focus();
}

onUnauthorized(() => {
  session.signOut();
  showSignIn('The token was refused: sign in again.');
});

form.addEventListener('submit', async event => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return;
  session.signIn(token);
  signinError.textContent = '';
  await start();
});

$('sign-out').addEventListener('click', () => {
  session.signOut();
  showSignIn();
});

async function start() {
  if (!session.token()) return showSignIn();
  try {
    identity = await whoami();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;   // onUnauthorized has shown the sign-in
    session.signOut();
    return showSignIn(error.message);
  }
  if (identity.role === 'reporter') {
    session.signOut();
    return showSignIn(`Token '${identity.name}' is a reporter token: it may only report outcomes, not read agents.`);
  }
  signin.hidden = true;
  bar.hidden = false;
  $('who').textContent = `${identity.name} · ${identity.role}`;
  await route();
}

function closePage() {
  pageId++;
  clearTimeout(timer);
  page?.dispose?.();
  page = null;
}

async function route() {
  if (!identity) return;
  closePage();
  const id = pageId;
  const path = location.hash.replace(/^#/, '') || '/';
  const agentMatch = path.match(/^\/agents\/([^/]+)$/);
  const canOperate = identity.role === 'operator';
  let module;
  if (agentMatch) module = import('./views/agent.js').then(m => m.agentPage(decodeURIComponent(agentMatch[1]), canOperate));
  else if (path === '/tools') module = import('./views/tools.js').then(m => m.toolsPage());
  else module = import('./views/overview.js').then(m => m.overviewPage());
  for (const link of bar.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === (path === '/tools' ? '#/tools' : '#/'));
  }

  const opened = await module;
  if (id !== pageId) return opened.dispose?.();
  page = opened;
  view.replaceChildren(page.element);
  await tick(id);
}

async function tick(id) {
  if (id !== pageId || busy === id) return;
  if (!document.hidden) {
    busy = id;
    try {
      await page.refresh();
      page.element.querySelector('.refresh-error')?.remove();
      updateRelativeTimes();
    } catch (error) {
      if (id !== pageId || (error instanceof ApiError && error.status === 401)) return;
      showRefreshError(error);
    } finally {
      if (busy === id) busy = null;
    }
  }
  if (id === pageId) timer = setTimeout(() => tick(id), REFRESH_MS);
}

/** "3 min ago" moves on even where the data, and so the drawing, did not change. */
function updateRelativeTimes() {
  for (const element of view.querySelectorAll('time[datetime]')) {
    const text = ago(element.dateTime);
    if (element.textContent !== text) element.textContent = text;
  }
}

function showRefreshError(error) {
  const existing = page.element.querySelector('.refresh-error');
  const text = `Could not refresh: ${error.message}`;
  if (existing) existing.textContent = text;
  else page.element.prepend(h('p', { class: 'refresh-error', role: 'alert' }, text));
}

window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => { if (!document.hidden && page) { clearTimeout(timer); tick(pageId); } });
start();
