// A tiny DOM builder: h('button', {class: 'primary', onclick: f, 'aria-label': 'Roll back'}, 'Roll back').
// Text always goes in as text nodes, never as HTML, so nothing read from the API can inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, props, children) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export const h = (tag, props, ...children) => build(document.createElement(tag), props, children);
export const svg = (tag, props, ...children) => build(document.createElementNS(SVG_NS, tag), props, children);

const shown = new WeakMap();

/**
 * Replaces the children of `element` with what `render` builds, only when `data` differs from what the element shows:
 * the 2-second refresh then leaves unchanged parts of the page alone (no flicker, focus and open details kept).
 */
export function renderIf(element, data, render) {
  const key = JSON.stringify(data);
  if (shown.get(element) === key) return;
  shown.set(element, key);
  element.replaceChildren(...[render(data)].flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
}

/** Forgets what `element` shows, so the next renderIf draws it again. */
export const forget = element => shown.delete(element);
