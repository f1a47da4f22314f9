// Shared pieces of the interface: notices, confirmations, form errors.
import { h, $, setText } from './dom.js';
import { describe } from './api.js';

// toast shows a short notice, read out by screen readers (the container
// is a polite live region), and removes it after a while.
export function toast(message, kind = 'ok') {
  const box = $('#toasts');
  const el = h('div', { class: `toast toast-${kind === 'error' ? 'error' : 'ok'}`, text: message });
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// confirm asks before something that cannot be undone, in a modal
// <dialog> (focus moves in and back, Escape cancels) rather than
// window.confirm, which would block the page's updates.
export function confirm({ title, text, action }) {
  const dialog = $('#confirm-dialog');
  setText($('#confirm-title'), title);
  setText($('#confirm-text'), text);
  setText($('#confirm-ok'), action);
  return new Promise((resolve) => {
    const form = $('#confirm-form');
    const done = (ok) => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      resolve(ok);
    };
    const onSubmit = (e) => { e.preventDefault(); done(true); };
    const onClose = () => done(false);
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    $('[data-close]', dialog).focus();
  });
}

// Dialogs: any [data-close] button closes its dialog.
export function wireDialogs() {
  for (const d of document.querySelectorAll('dialog')) {
    d.addEventListener('click', (e) => {
      if (e.target.closest('[data-close]')) d.close();
    });
  }
}

// formError shows err in the form's alert (or clears it), and marks the
// fields the API's issues name (path[0] is the JSON field).
export function formError(form, err) {
  const box = form.querySelector('.form-error');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!err) { setText(box, ''); return; }
  setText(box, describe(err));
  for (const issue of err.issues || []) {
    const name = Array.isArray(issue.path) ? issue.path[0] : null;
    const field = name && form.elements.namedItem(String(name));
    if (field && field.setAttribute) field.setAttribute('aria-invalid', 'true');
  }
}

// busy disables a form's submit button while fn runs, so a double click
// does not send twice, and reports a failure in the form.
export async function busy(form, fn) {
  const button = form.querySelector('[type=submit]');
  if (button) button.disabled = true;
  formError(form, null);
  try {
    return await fn();
  } catch (err) {
    formError(form, err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// secret makes a webhook secret: 32 characters from the browser's
// cryptographic generator.
export function secret() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}
