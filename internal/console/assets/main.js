// The console's entry point: sign in, sign out, and which view shows.
import { $, setText } from './dom.js';
import { call, ApiError, describe } from './api.js';
import * as session from './session.js';
import { wireDialogs, toast } from './ui.js';
import * as tenant from './tenant.js';
import * as detail from './detail.js';
import * as link from './link.js';
import * as send from './send.js';
import * as messages from './messages.js';
import * as deliveries from './deliveries.js';
import * as settings from './settings.js';
import * as operator from './operator.js';

let view = null; // 'signin' | 'tenant' | 'operator'

function showView() {
  const s = session.current();
  const next = s ? s.kind : 'signin';
  if (view === next) return;
  if (view === 'tenant') tenant.stop();
  if (view === 'operator') operator.stop();
  view = next;
  $('#signin-view').hidden = next !== 'signin';
  $('#who').hidden = next === 'signin';
  document.body.dataset.view = next;
  if (next === 'signin') {
    $('#apikey').focus();
    return;
  }
  setText($('#who-label'), next === 'operator' ? 'Operator' : `Tenant key …${s.key.slice(-4)}`);
  if (next === 'tenant') tenant.start();
  else operator.start(() => { showView(); $('#main').focus(); });
  $('#main').focus();
}

// check tries a key before keeping it: a tenant key must list the
// tenant's instances. The operator routes have no read-only one, so an
// operator key is tried on POST /admin/tenants with an empty body, which
// checks the key first and then refuses the body (400) without creating
// anything: 400 means the key is good, 401 that it is not.
async function check(kind, key) {
  if (kind === 'tenant') {
    await call('GET', 'instance/list', { auth: 'tenant', key });
    return;
  }
  try {
    await call('POST', 'admin/tenants', { auth: 'operator', key, body: {} });
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return;
    throw err;
  }
}

function wireSignin() {
  const form = $('#signin-form');
  const input = $('#apikey');
  // The key's prefix tells its kind when it has the gateway's own form.
  input.addEventListener('input', () => {
    const v = input.value.trim();
    if (v.startsWith('wga_')) form.elements.kind.value = 'operator';
    else if (v.startsWith('wgk_')) form.elements.kind.value = 'tenant';
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    const kind = form.elements.kind.value;
    const error = $('#signin-error');
    setText(error, '');
    if (!key) {
      setText(error, 'Enter an API key.');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    try {
      await check(kind, key);
      input.removeAttribute('aria-invalid');
      form.reset();
      session.save(kind, key);
      showView();
    } catch (err) {
      input.setAttribute('aria-invalid', 'true');
      setText(error, err instanceof ApiError && err.status === 401
        ? `This ${kind === 'operator' ? 'operator' : 'tenant'} key is not accepted: ${err.message}.`
        : describe(err));
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
}

function signOut(message) {
  session.clear();
  history.replaceState(null, '', location.pathname);
  showView();
  if (message) setText($('#signin-error'), message);
}

function boot() {
  wireDialogs();
  wireSignin();
  tenant.wireCreate();
  detail.wireTabs();
  link.wire();
  send.wire();
  messages.wire();
  deliveries.wire();
  settings.wire();
  operator.wire();
  $('#signout').addEventListener('click', () => signOut(''));
  window.addEventListener('console:unauthorized', () => {
    if (view === 'signin') return; // several polls can find out at once
    toast('The key is no longer accepted.', 'error');
    signOut('The key is no longer accepted (revoked?). Sign in again.');
  });
  showView();
}

boot();
