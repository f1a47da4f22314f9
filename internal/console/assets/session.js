// The signed-in key lives in sessionStorage: it survives a reload of this
// tab, dies with it, is shared with no other tab, and never goes in a URL.
const KEY = 'wagateway.console.session';

export function current() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (s && typeof s.key === 'string' && (s.kind === 'tenant' || s.kind === 'operator')) return s;
  } catch { /* a damaged entry is no session */ }
  return null;
}

export function save(kind, key) {
  sessionStorage.setItem(KEY, JSON.stringify({ kind, key }));
}

// clear forgets the key and everything the console kept for this tab.
export function clear() {
  for (const k of Object.keys(sessionStorage)) {
    if (k.startsWith('wagateway.console.')) sessionStorage.removeItem(k);
  }
}

// remember/recall keep small notes for this tab (the text of messages
// sent from the console, which the API does not list), bounded in size.
export function remember(bucket, id, value, max = 200) {
  const k = `wagateway.console.${bucket}`;
  let m = {};
  try { m = JSON.parse(sessionStorage.getItem(k) || '{}') || {}; } catch { m = {}; }
  m[id] = value;
  const ids = Object.keys(m);
  for (const old of ids.slice(0, Math.max(0, ids.length - max))) delete m[old];
  sessionStorage.setItem(k, JSON.stringify(m));
}

export function recall(bucket) {
  try { return JSON.parse(sessionStorage.getItem(`wagateway.console.${bucket}`) || '{}') || {}; } catch { return {}; }
}
