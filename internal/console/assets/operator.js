// The operator's view: create tenants, issue and revoke their keys
// (the /admin routes, header x-admin-key). There is no route that lists
// tenants or keys, so the keys issued from this tab are kept (their ids
// only, never the keys) for revoking them with one click.
import { h, $, setText } from './dom.js';
import { call, enc, describe } from './api.js';
import { busy, confirm, toast } from './ui.js';
import { remember, recall } from './session.js';
import * as session from './session.js';

let onSwitch = null;

export function start(switchSession) {
  onSwitch = switchSession;
  $('#operator-view').hidden = false;
  $('#new-key').hidden = true;
  renderIssued();
}

export function stop() {
  $('#operator-view').hidden = true;
  $('#new-key-value').value = '';
}

function renderIssued() {
  const issued = recall('keys');
  const ids = Object.keys(issued).filter((id) => issued[id]);
  $('#issued-keys').replaceChildren(...ids.map((id) => {
    const tenantId = issued[id];
    return h('li', { class: 'key-row' },
      h('span', {}, 'Tenant ', h('strong', { text: tenantId }), ' · key ', h('code', { text: id })),
      h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-tenant': tenantId, 'data-key': id,
        'aria-label': `Revoke key ${id} of ${tenantId}` }, 'Revoke…'));
  }));
  $('#issued-empty').hidden = ids.length > 0;
}

async function revoke(tenantId, keyId) {
  await call('DELETE', `admin/tenants/${enc(tenantId)}/keys/${enc(keyId)}`);
  remember('keys', keyId, null);
  renderIssued();
  toast(`Key ${keyId} of ${tenantId} revoked.`);
}

export function wire() {
  const tf = $('#tenant-form');
  tf.addEventListener('submit', (e) => {
    e.preventDefault();
    const result = tf.querySelector('.result');
    result.textContent = '';
    busy(tf, async () => {
      const r = await call('POST', 'admin/tenants', { body: { tenantId: tf.elements.tenantId.value.trim() } });
      result.textContent = `Tenant ${r.tenantId} created.`;
      $('#key-tenant').value = r.tenantId;
    });
  });

  const kf = $('#key-form');
  kf.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(kf, async () => {
      const tenantId = kf.elements.tenantId.value.trim();
      const r = await call('POST', `admin/tenants/${enc(tenantId)}/keys`);
      remember('keys', r.keyId, tenantId);
      renderIssued();
      setText($('#new-key-tenant'), tenantId);
      $('#new-key-value').value = r.apikey;
      $('#new-key').hidden = false;
      $('#new-key-value').select();
    });
  });
  $('#new-key-copy').addEventListener('click', async () => {
    const input = $('#new-key-value');
    try {
      await navigator.clipboard.writeText(input.value);
      toast('Key copied.');
    } catch {
      input.select(); // no clipboard access (plain http): selected for Ctrl+C
      toast('Press Ctrl+C (⌘C) to copy the selected key.');
    }
  });
  $('#new-key-use').addEventListener('click', () => {
    const key = $('#new-key-value').value;
    if (!key) return;
    session.save('tenant', key);
    location.hash = '#/';
    if (onSwitch) onSwitch();
  });

  const rf = $('#revoke-form');
  rf.addEventListener('submit', (e) => {
    e.preventDefault();
    const errBox = rf.parentElement.querySelector('.form-error');
    errBox.textContent = '';
    const button = rf.querySelector('[type=submit]');
    button.disabled = true;
    revoke(rf.elements.tenantId.value.trim(), rf.elements.keyId.value.trim())
      .then(() => rf.reset())
      .catch((err) => { errBox.textContent = describe(err); })
      .finally(() => { button.disabled = false; });
  });
  $('#issued-keys').addEventListener('click', async (e) => {
    const b = e.target.closest('button[data-key]');
    if (!b) return;
    const { tenant, key } = b.dataset;
    if (!await confirm({ title: 'Revoke this key?', text: `Key ${key} of tenant ${tenant} stops working at once.`, action: 'Revoke key' })) return;
    revoke(tenant, key).catch((err) => toast(describe(err), 'error'));
  });
}
