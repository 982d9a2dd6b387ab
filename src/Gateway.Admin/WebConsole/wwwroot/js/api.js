// The admin API, called with the token of the signed-in operator. The token lives in sessionStorage only: it is gone
// when the tab closes, and it never goes into a URL, a cookie or localStorage.

const TOKEN_KEY = 'rollgate.token';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: token => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A problem answer (RFC 9457) or a failed call. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `The gateway answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** The endpoint does not exist on this gateway (an older one): not an unknown agent or version. */
  get notAvailable() {
    return this.status === 404 && String(this.problem.type ?? '').endsWith('/not-found');
  }
}

let unauthorized = () => {};

/** What to do when any call answers 401: the token is wrong or was revoked. */
export const onUnauthorized = handler => { unauthorized = handler; };

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${session.token() ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/admin${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, { title: 'The gateway could not be reached.' });
  }

  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, data);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const agentPath = name => `/agents/${encodeURIComponent(name)}`;

export const agents = {
  list: () => api('/agents').then(d => d.agents),
  get: name => api(agentPath(name)),
  versions: name => api(`${agentPath(name)}/versions`).then(d => d.versions),
  history: (name, limit = 100) => api(`${agentPath(name)}/history?limit=${limit}`).then(d => d.events),
  metrics: (name, window) => api(`${agentPath(name)}/metrics?window=${encodeURIComponent(window)}`),
  diff: (name, a, b) => api(`${agentPath(name)}/versions/${a}/diff/${b}`),
  version: (name, n) => api(`${agentPath(name)}/versions/${n}`),
  rollback: (name, body) => api(`${agentPath(name)}/rollback`, { method: 'POST', body }),
  promote: name => api(`${agentPath(name)}/promote`, { method: 'POST' }),
  pause: name => api(`${agentPath(name)}/pause`, { method: 'POST' }),
  resume: name => api(`${agentPath(name)}/resume`, { method: 'POST' }),
  weight: (name, canaryPercent) => api(`${agentPath(name)}/weight`, { method: 'POST', body: { canaryPercent } }),
  deploy: (name, version, strategy) => api(`${agentPath(name)}/deployments`, { method: 'POST', body: { version, strategy } }),
  drill: name => api(`${agentPath(name)}/drill`, { method: 'POST' }),
};

export const whoami = () => api('/whoami');
export const tools = () => api('/tools').then(d => d.tools);
