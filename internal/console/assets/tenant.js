// The tenant's view: the instance list (live), the tenant's totals, the
// "New instance" dialog, and which instance and tab the URL's hash names.
import { h, $, setText, setBadge, nameParts, badge } from './dom.js';
import { call, enc } from './api.js';
import { every } from './poll.js';
import { store, update, subscribe, reset } from './store.js';
import { busy, toast, secret } from './ui.js';
import * as events from './events.js';
import * as detail from './detail.js';

const LIST_EVERY = 2500; // how fast a linked phone shows up as open
const STATS_EVERY = 5000;

let polls = [];
let createEvents = null;
const rows = new Map(); // instance name → <li>

export function start() {
  $('#tenant-view').hidden = false;
  polls = [every(LIST_EVERY, refreshList), every(STATS_EVERY, refreshStats)];
  subscribe(renderList);
  subscribe(renderTotals);
  createEvents = events.mount($('#create-form [data-events]'), 'create-events');
  window.addEventListener('hashchange', route);
  window.addEventListener('console:changed', refresh);
  route();
}

export function stop() {
  for (const p of polls) p.stop();
  polls = [];
  detail.close();
  window.removeEventListener('hashchange', route);
  window.removeEventListener('console:changed', refresh);
  reset();
  rows.clear();
  $('#instance-list').replaceChildren();
  $('#totals').replaceChildren();
  $('#totals').hidden = true;
  $('#tenant-view').hidden = true;
}

export function refresh() {
  for (const p of polls) p.now();
}

async function refreshList() {
  const list = await call('GET', 'instance/list');
  update({ instances: Array.isArray(list) ? list : [] });
}

async function refreshStats() {
  update({ stats: await call('GET', 'stats') });
}

// route reads #/i/{name}/{tab}; anything else shows the list alone.
function route() {
  const [, kind, name, tab] = location.hash.split('/');
  if (kind === 'i' && name) {
    detail.open(decodeURIComponent(name), tab || 'overview');
    document.body.classList.add('has-detail');
  } else {
    detail.close();
    document.body.classList.remove('has-detail');
  }
  $('#welcome').hidden = document.body.classList.contains('has-detail');
  markSelected();
}

function markSelected() {
  const selected = detail.selected();
  for (const [name, li] of rows) {
    const a = li.querySelector('a');
    if (name === selected) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderList() {
  const list = $('#instance-list');
  const seen = new Set();
  const ordered = [];
  for (const inst of store.instances) {
    seen.add(inst.instanceName);
    let li = rows.get(inst.instanceName);
    if (!li) {
      li = newRow(inst.instanceName);
      rows.set(inst.instanceName, li);
    }
    setBadge(li.querySelector('[data-testid=instance-state]'), inst.state);
    setText(li.querySelector('.instance-phone'), inst.phoneNumber ? `+${inst.phoneNumber}` : 'not linked');
    li.dataset.state = inst.state;
    ordered.push(li);
  }
  for (const [name, li] of rows) {
    if (!seen.has(name)) { li.remove(); rows.delete(name); }
  }
  // Re-append only when the order changed: moving the focused row would
  // drop the focus.
  const current = [...list.children];
  if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i])) list.replaceChildren(...ordered);
  $('#instance-empty').hidden = store.instances.length > 0;
  markSelected();
}

function newRow(name) {
  const p = nameParts(name);
  return h('li', { class: 'instance-row', 'data-testid': 'instance-row', 'data-instance': name },
    h('a', { href: `#/i/${enc(name)}/overview`, class: 'instance-link' },
      h('span', { class: 'instance-text' },
        h('span', { class: 'instance-label', text: p.label }),
        h('span', { class: 'instance-meta', text: `${p.client} · ${p.tenant}` }),
        h('span', { class: 'instance-phone' })),
      badge('', { 'data-testid': 'instance-state' })));
}

const fmt = new Intl.NumberFormat();

function renderTotals() {
  const s = store.stats;
  const dl = $('#totals');
  if (!s || !s.totals) return;
  const items = [['Instances', s.instances], ['Queued', s.totals.queued], ['Sent', s.totals.sent], ['Failed', s.totals.failed]];
  dl.replaceChildren(...items.map(([k, v]) => h('div', { class: 'total' }, h('dt', { text: k }), h('dd', { text: fmt.format(v || 0) }))));
  dl.hidden = false;
}

// The "New instance" dialog.
export function wireCreate() {
  const dialog = $('#create-dialog');
  const form = $('#create-form');
  $('#new-instance').addEventListener('click', () => {
    form.reset();
    formReset(form);
    const known = store.instances[0];
    if (known) form.elements.instanceName.value = `${nameParts(known.instanceName).tenant}__`;
    form.elements.webhookSecret.value = secret();
    createEvents.set(null);
    dialog.showModal();
    form.elements.instanceName.focus();
  });
  $('#create-secret-new').addEventListener('click', () => { form.elements.webhookSecret.value = secret(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(form, async () => {
      const f = form.elements;
      const body = {
        instanceName: f.instanceName.value.trim(),
        webhookUrl: f.webhookUrl.value.trim(),
        webhookSecret: f.webhookSecret.value,
        settings: {
          typingSimulation: f.typingSimulation.checked,
          receiveGroups: f.receiveGroups.checked,
          rejectCalls: f.rejectCalls.checked,
        },
      };
      const filter = createEvents.get();
      if (filter) body.events = filter;
      const made = await call('POST', 'instance/create', { body });
      dialog.close();
      toast(`Instance ${made.instanceName} created. Link a phone to it next.`);
      update({ instances: [...store.instances.filter((i) => i.instanceName !== made.instanceName),
        { instanceName: made.instanceName, state: made.status, phoneNumber: null }] });
      refresh();
      location.hash = `#/i/${enc(made.instanceName)}/overview`;
    });
  });
}

function formReset(form) {
  setText(form.querySelector('.form-error'), '');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}
