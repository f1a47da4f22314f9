// What several parts of the tenant view read: the instance list and the
// tenant's counters, as last polled. Subscribers run after each change.
export const store = { instances: [], stats: null };

const subscribers = new Set();

export function subscribe(fn) {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

export function update(patch) {
  Object.assign(store, patch);
  for (const fn of subscribers) fn(store);
}

// patchInstance merges what a status poll learnt into the list at once,
// so the row and the detail never disagree for a poll's length.
export function patchInstance(name, fields) {
  const list = store.instances.map((i) => (i.instanceName === name ? { ...i, ...fields } : i));
  update({ instances: list });
}

export function reset() {
  store.instances = [];
  store.stats = null;
  subscribers.clear();
}
