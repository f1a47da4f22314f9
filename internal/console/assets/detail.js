// One instance: its header, its tabs, and the Overview tab (connection,
// linking, queue, counters, restart / log out / delete, flush).
import { h, $, $$, setText, setBadge, nameParts, fact, when } from './dom.js';
import { call, enc, ApiError, describe } from './api.js';
import { every } from './poll.js';
import { store, subscribe, patchInstance } from './store.js';
import { confirm, toast } from './ui.js';
import * as link from './link.js';
import * as send from './send.js';
import * as messages from './messages.js';
import * as deliveries from './deliveries.js';
import * as settings from './settings.js';

const STATUS_EVERY = 2000; // connecting → open shows within this

const tabs = {
  overview: { start: startOverview },
  send: send,
  messages: messages,
  deliveries: deliveries,
  settings: settings,
};

let cur = null; // { name, tab, statusPoll, tabCtl, status, unsubscribe }

export function selected() { return cur && cur.name; }

export function open(name, tab) {
  if (!tabs[tab]) tab = 'overview';
  if (!cur || cur.name !== name) {
    close();
    cur = { name, tab: null, status: null, tabCtl: null };
    const p = nameParts(name);
    setText($('#detail-title'), p.label);
    setText($('#detail-sub'), `${p.client} · ${p.tenant} · ${name}`);
    setBadge($('#detail-state'), '…');
    $('#detail').hidden = false;
    $('#link').hidden = true;
    link.select(name);
    cur.statusPoll = every(STATUS_EVERY, refreshStatus);
    cur.unsubscribe = subscribe(renderCounters);
  }
  if (cur.tab !== tab) selectTab(tab);
}

export function close() {
  if (!cur) return;
  cur.statusPoll.stop();
  cur.unsubscribe();
  if (cur.tabCtl) cur.tabCtl.stop();
  link.stop();
  cur = null;
  $('#detail').hidden = true;
}

function selectTab(tab) {
  if (cur.tabCtl) cur.tabCtl.stop();
  cur.tab = tab;
  for (const b of $$('#detail [role=tab]')) {
    const on = b.dataset.tab === tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    $(`#${b.getAttribute('aria-controls')}`).hidden = !on;
    // On a narrow screen the tab list scrolls sideways: keep the
    // selected tab in sight.
    if (on && b.scrollIntoView) b.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  cur.tabCtl = tabs[tab].start(cur.name, { status: () => cur && cur.status });
}

// The tabs follow WAI-ARIA's pattern: one tab stop, arrows move between
// tabs (and show them), Home and End jump to the ends. A tab is a hash
// change, so Back goes back to the previous tab.
export function wireTabs() {
  const list = $('#detail [role=tablist]');
  const go = (tab) => { if (cur) location.hash = `#/i/${enc(cur.name)}/${tab}`; };
  list.addEventListener('click', (e) => {
    const b = e.target.closest('[role=tab]');
    if (b) go(b.dataset.tab);
  });
  list.addEventListener('keydown', (e) => {
    const all = $$('[role=tab]', list);
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % all.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + all.length) % all.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = all.length - 1;
    if (next < 0) return;
    e.preventDefault();
    all[next].focus();
    go(all[next].dataset.tab);
  });
  wireLifecycle();
}

async function refreshStatus() {
  const name = cur && cur.name;
  if (!name) return;
  let s;
  try {
    s = await call('GET', `instance/${enc(name)}/status`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
      toast(describe(err), 'error');
      location.hash = '#/';
      return;
    }
    throw err;
  }
  if (!cur || cur.name !== name) return;
  const changed = !cur.status || cur.status.state !== s.state || cur.status.phoneNumber !== s.phoneNumber;
  cur.status = s;
  setBadge($('#detail-state'), s.state);
  $('#detail').dataset.state = s.state;
  if (changed) patchInstance(name, { state: s.state, phoneNumber: s.phoneNumber });
  renderStatus(s);
  link.update(name, s);
  const linked = Boolean(s.phoneNumber);
  $('#restart').disabled = !linked;
  $('#logout').disabled = !linked;
}

function renderStatus(s) {
  $('#status-facts').replaceChildren(
    ...fact('State', s.state),
    ...fact('Phone', s.phoneNumber ? `+${s.phoneNumber}` : 'not linked'),
    ...fact('Connected since', when(s.connectedAt)),
    ...fact('Queued', String(s.messagesQueuedCount)));
}

// startOverview polls the queue per lane while the Overview is shown.
function startOverview(name) {
  renderCounters();
  const poll = every(STATUS_EVERY, async () => {
    const q = await call('GET', `instance/${enc(name)}/queue`);
    $('#queue-facts').replaceChildren(...['urgent', 'normal', 'bulk', 'total'].map((lane) =>
      h('div', { class: `lane lane-${lane}` }, h('dt', { text: lane }), h('dd', { text: String(q[lane] ?? 0) }))));
  });
  return { stop: () => poll.stop() };
}

function renderCounters() {
  if (!cur) return;
  const row = store.stats && Array.isArray(store.stats.perInstance)
    ? store.stats.perInstance.find((p) => p.instanceName === cur.name) : null;
  const m = (row && row.messages) || {};
  $('#counters').replaceChildren(...fact('Sent', String(m.sent ?? 0)), ...fact('Failed', String(m.failed ?? 0)),
    ...fact('Pending', String(m.pending ?? 0)));
}

function wireLifecycle() {
  const act = async (button, fn) => {
    button.disabled = true;
    try { await fn(); } catch (err) { toast(describe(err), 'error'); } finally { button.disabled = false; }
    if (cur) cur.statusPoll.now();
    window.dispatchEvent(new CustomEvent('console:changed')); // the list and totals
  };
  $('#restart').addEventListener('click', (e) => act(e.currentTarget, async () => {
    await call('POST', `instance/${enc(cur.name)}/restart`);
    toast('Restarting the connection.');
  }));
  $('#logout').addEventListener('click', (e) => act(e.currentTarget, async () => {
    const name = cur.name;
    if (!await confirm({ title: 'Log out?', text: `${name} is unlinked from its phone. Queued messages stay queued until a phone is linked again.`, action: 'Log out' })) return;
    await call('POST', `instance/${enc(name)}/logout`);
    toast('Logged out.');
  }));
  $('#delete').addEventListener('click', (e) => act(e.currentTarget, async () => {
    const name = cur.name;
    if (!await confirm({ title: 'Delete this instance?', text: `${name} is logged out and deleted with its session, its received messages and media. Its pending messages fail.`, action: 'Delete instance' })) return;
    await call('DELETE', `instance/${enc(name)}`);
    toast(`${name} deleted.`);
    location.hash = '#/';
  }));
  $('#flush').addEventListener('click', (e) => act(e.currentTarget, async () => {
    const name = cur.name;
    if (!await confirm({ title: 'Flush the queue?', text: `Every pending message of ${name} fails with error “flushed” and is never sent.`, action: 'Flush queue' })) return;
    const r = await call('DELETE', `instance/${enc(name)}/queue`);
    toast(`Flushed ${r.flushed} message${r.flushed === 1 ? '' : 's'}.`);
  }));
}
