// The Settings tab: the instance's settings (PATCH) and its webhook (PUT,
// with the event filter). Read once when the tab opens, not polled, so
// a poll never overwrites what someone is typing.
import { $ } from './dom.js';
import { call, enc } from './api.js';
import { busy, formError } from './ui.js';
import * as events from './events.js';

let instance = null;
let filter = null;

export function start(name) {
  instance = name;
  const sf = $('#settings-form');
  const wf = $('#webhook-form');
  for (const f of [sf, wf]) {
    formError(f, null);
    f.querySelector('.result').textContent = '';
  }
  wf.elements.webhookSecret.value = '';
  if (!filter) filter = events.mount($('#webhook-form [data-events]'), 'webhook-events');
  busy(sf, async () => {
    const s = await call('GET', `instance/${enc(name)}/settings`);
    if (instance !== name) return;
    for (const k of ['typingSimulation', 'receiveGroups', 'rejectCalls']) sf.elements[k].checked = Boolean(s[k]);
  });
  busy(wf, async () => {
    const w = await call('GET', `instance/${enc(name)}/webhook`);
    if (instance !== name) return;
    wf.elements.webhookUrl.value = w.webhookUrl || '';
    filter.set(w.events);
  });
  return { stop() { instance = null; } };
}

export function wire() {
  const sf = $('#settings-form');
  sf.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!instance) return;
    const result = sf.querySelector('.result');
    result.textContent = '';
    busy(sf, async () => {
      const body = {};
      for (const k of ['typingSimulation', 'receiveGroups', 'rejectCalls']) body[k] = sf.elements[k].checked;
      await call('PATCH', `instance/${enc(instance)}/settings`, { body });
      result.textContent = 'Saved.';
    });
  });
  const wf = $('#webhook-form');
  wf.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!instance) return;
    const result = wf.querySelector('.result');
    result.textContent = '';
    busy(wf, async () => {
      const body = { webhookUrl: wf.elements.webhookUrl.value.trim(), webhookSecret: wf.elements.webhookSecret.value };
      const chosen = filter.get();
      if (chosen) body.events = chosen;
      await call('PUT', `instance/${enc(instance)}/webhook`, { body });
      wf.elements.webhookSecret.value = '';
      result.textContent = 'Saved.';
    });
  });
}
