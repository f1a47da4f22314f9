// The Deliveries tab: the instance's webhook deliveries, live, with a
// button to redeliver the dead ones.
import { h, $, when, badge } from './dom.js';
import { call, enc, describe } from './api.js';
import { every } from './poll.js';
import { toast } from './ui.js';

const EVERY = 2500;

let ctl = null; // { name, poll, rows }

export function start(name) {
  ctl = { name, rows: new Map() };
  $('#delivery-list').replaceChildren();
  $('#deliveries-empty').hidden = true;
  ctl.poll = every(EVERY, refresh);
  const mine = ctl;
  return { stop() { mine.poll.stop(); if (ctl === mine) ctl = null; } };
}

async function refresh() {
  const mine = ctl;
  if (!mine) return;
  const status = $('#deliveries-filter').elements.status.value;
  const list = await call('GET', `instance/${enc(mine.name)}/deliveries`, { query: { status } });
  if (ctl !== mine) return;
  render(Array.isArray(list) ? list : []);
}

function render(items) {
  const list = $('#delivery-list');
  const seen = new Set();
  const ordered = items.map((d) => {
    seen.add(d.id);
    const sig = JSON.stringify(d);
    let row = ctl.rows.get(d.id);
    if (!row || row.dataset.sig !== sig) {
      const fresh = deliveryRow(d);
      fresh.dataset.sig = sig;
      const hadFocus = row && row.contains(document.activeElement);
      if (row) row.replaceWith(fresh);
      row = fresh;
      ctl.rows.set(d.id, row);
      if (hadFocus) row.querySelector('button, [tabindex]')?.focus();
    }
    return row;
  });
  for (const [id, row] of ctl.rows) {
    if (!seen.has(id)) { row.remove(); ctl.rows.delete(id); }
  }
  const current = [...list.children];
  if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i])) list.replaceChildren(...ordered);
  $('#deliveries-empty').hidden = ordered.length > 0;
}

function deliveryRow(d) {
  const last = d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : null;
  const error = d.lastError && d.lastError !== last ? d.lastError : null;
  return h('li', { class: `dlv dlv-${d.status}`, 'data-testid': 'delivery-row', 'data-id': d.id, 'data-status': d.status },
    h('div', { class: 'dlv-head' },
      h('code', { class: 'event', text: d.event }),
      badge(d.status, { 'data-testid': 'delivery-status' }),
      h('span', { class: 'msg-time' }, when(d.createdAt))),
    h('p', { class: 'dlv-facts' },
      `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
      last ? ` · last answer ${last}` : '',
      error ? h('span', { class: 'msg-error' }, ` · ${error}`) : '',
      d.deliveredAt ? h('span', {}, ' · delivered ', when(d.deliveredAt)) : ''),
    h('p', { class: 'msg-id' }, h('code', { text: d.id })),
    d.status === 'dead' ? h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'redeliver', 'data-id': d.id,
      'aria-label': `Redeliver ${d.event} ${d.id}` }, 'Redeliver') : null);
}

export function wire() {
  const filter = $('#deliveries-filter');
  filter.addEventListener('change', () => ctl && ctl.poll.now());
  filter.addEventListener('submit', (e) => e.preventDefault());
  $('#delivery-list').addEventListener('click', async (e) => {
    const button = e.target.closest('[data-testid=redeliver]');
    if (!button || !ctl) return;
    button.disabled = true;
    try {
      const r = await call('POST', `deliveries/${enc(button.dataset.id)}/redeliver`);
      toast(`Delivering ${r.id} again.`);
    } catch (err) {
      toast(describe(err), 'error');
      button.disabled = false;
    }
    if (ctl) ctl.poll.now();
  });
}
