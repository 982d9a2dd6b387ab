// Modal confirmations on the native <dialog>: focus is trapped and restored by the browser, Escape cancels.

import { h } from './dom.js';

/**
 * Shows a modal and resolves with `collect()`'s value on confirm, or null on cancel.
 * @param content  nodes between the title and the buttons (inputs the caller reads in `collect`)
 */
export function confirm({ title, content = [], confirmLabel, danger = false, collect = () => true }) {
  return new Promise(resolve => {
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    let result = null;
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      content,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
        h('button', {
          type: 'button', class: danger ? 'danger' : 'primary', autofocus: true,
          onclick: () => { result = collect(); dialog.close(); },
        }, confirmLabel)));
    dialog.addEventListener('close', () => { dialog.remove(); resolve(result); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
