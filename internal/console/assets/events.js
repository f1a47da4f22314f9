// The webhook's event filter, as a fieldset: all events, or only those
// ticked. The event names come from the API's own OpenAPI document
// (EventName), read once and only when someone opens the filter, so the
// console never lists an event the gateway does not know.
import { h, add } from './dom.js';
import { call } from './api.js';

let names = null;

async function eventNames() {
  if (!names) {
    names = call('GET', 'openapi.json', { auth: 'none' }).then((doc) => {
      const list = doc && doc.components && doc.components.schemas && doc.components.schemas.EventName;
      return Array.isArray(list && list.enum) ? list.enum.filter((n) => typeof n === 'string') : [];
    }).catch((err) => { names = null; throw err; });
  }
  return names;
}

// mount fills a [data-events] container; returns { get(), set(events) }:
// get is null (every event) or the names ticked; set takes the same.
export function mount(container, idPrefix) {
  const allId = `${idPrefix}-all`;
  const someId = `${idPrefix}-some`;
  const list = h('div', { class: 'event-list', hidden: true });
  const all = h('input', { type: 'radio', name: `${idPrefix}-scope`, id: allId, value: 'all', checked: true });
  const some = h('input', { type: 'radio', name: `${idPrefix}-scope`, id: someId, value: 'some' });
  let wanted = null;

  const fill = async () => {
    if (list.childElementCount) return;
    add(list, [h('p', { class: 'help', text: 'Loading event names…' })]);
    try {
      const got = await eventNames();
      list.replaceChildren(...got.map((n) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: `${idPrefix}-event`, value: n, checked: !wanted || wanted.includes(n) }),
        h('code', { text: n }))));
    } catch {
      list.replaceChildren(h('p', { class: 'form-error', text: 'The event names could not be loaded.' }));
    }
  };
  const sync = () => {
    list.hidden = !some.checked;
    if (some.checked) fill();
  };
  all.addEventListener('change', sync);
  some.addEventListener('change', sync);

  container.replaceChildren(h('fieldset', { class: 'field' },
    h('legend', { text: 'Events sent to the webhook' }),
    h('label', { class: 'check', for: allId }, all, ' All events'),
    h('label', { class: 'check', for: someId }, some, ' Only these:'),
    list));

  return {
    get() {
      if (!some.checked) return null;
      const boxes = [...list.querySelectorAll('input[type=checkbox]')];
      if (!boxes.length) return wanted || []; // names still loading: keep what was set
      return boxes.filter((c) => c.checked).map((c) => c.value);
    },
    set(events) {
      wanted = Array.isArray(events) ? events : null;
      list.replaceChildren();
      (wanted ? some : all).checked = true;
      sync();
    },
  };
}
