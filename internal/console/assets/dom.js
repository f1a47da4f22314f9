// DOM helpers. Everything the API returns is put in the page through
// these, as text nodes and attribute values: nothing is ever parsed as
// HTML, so a push name like <img onerror=…> stays a string on screen.

// h makes an element. props: class, text, dataset, on<event> handlers,
// and attributes (true for a bare attribute; false, null and undefined
// leave it out). Never pass data from the API as an href or src: only
// blob:, data: and the console's own links go there.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  add(el, children);
  return el;
}

// add appends children: nodes as they are, strings and numbers as text.
export function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function show(el, on = true) {
  el.hidden = !on;
  return el;
}

// setText changes an element's text only when it differs, so a poll
// that finds nothing new does not disturb a screen reader or a selection.
export function setText(el, text) {
  const t = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== t) el.textContent = t;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

// when formats an ISO timestamp: the time alone for today, with the date
// otherwise; the exact value stays in the title.
export function when(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', { text: iso });
  const today = new Date().toDateString() === d.toDateString();
  return h('time', { datetime: iso, title: iso, text: (today ? timeOnly : dateTime).format(d) });
}

// badge is a small coloured label whose class is one of a known set, so
// a value from the API never becomes an arbitrary class name.
const badgeKinds = new Set(['open', 'connecting', 'close', 'pending', 'sent', 'failed', 'delivered', 'retrying', 'dead', 'read']);
export function badge(value, props = {}) {
  const kind = badgeKinds.has(value) ? value : 'other';
  return h('span', { ...props, class: `badge badge-${kind}`, text: value });
}

export function setBadge(el, value) {
  const kind = badgeKinds.has(value) ? value : 'other';
  el.className = `badge badge-${kind}`;
  setText(el, value);
}

// nameParts splits tenant__client__label for display.
export function nameParts(name) {
  const [tenant, client, label] = String(name).split('__');
  return { tenant, client, label: label ?? name };
}

// fact is one term and its description for a <dl>.
export function fact(term, value) {
  return [h('dt', { text: term }), add(h('dd'), [value === null || value === undefined || value === '' ? '—' : value])];
}
