// The Messages tab: what the instance sent and received, newest first,
// live (GET /instance/{name}/messages), with statuses, receipts and
// received media. Every value from the API goes in as text (dom.js):
// a stranger's push name, text, caption or file name is never markup.
import { h, $, when, badge } from './dom.js';
import { call, enc, media, describe } from './api.js';
import { every } from './poll.js';
import { recall } from './session.js';

const EVERY = 2500;
const PAGE = 50;

let ctl = null; // { name, poll, first, older, cursor, rows, blobs }

export function start(name) {
  ctl = { name, first: [], older: [], cursor: null, olderLoaded: false, rows: new Map(), blobs: new Map() };
  $('#message-list').replaceChildren();
  $('#messages-empty').hidden = true;
  ctl.poll = every(EVERY, refresh);
  const mine = ctl;
  return {
    stop() {
      mine.poll.stop();
      for (const p of mine.blobs.values()) p.then((m) => URL.revokeObjectURL(m.url), () => {});
      if (ctl === mine) ctl = null;
    },
  };
}

function query() {
  const f = $('#messages-filter').elements;
  return { direction: f.direction.value, chat: f.chat.value.trim(), limit: PAGE };
}

async function refresh() {
  const mine = ctl;
  if (!mine) return;
  const page = await call('GET', `instance/${enc(mine.name)}/messages`, { query: query() });
  if (ctl !== mine) return;
  mine.first = page.items || [];
  if (!mine.olderLoaded) mine.cursor = page.nextCursor;
  render();
}

async function loadOlder() {
  const mine = ctl;
  if (!mine || !mine.cursor) return;
  const page = await call('GET', `instance/${enc(mine.name)}/messages`, { query: { ...query(), cursor: mine.cursor } });
  if (ctl !== mine) return;
  mine.older.push(...(page.items || []));
  mine.cursor = page.nextCursor;
  mine.olderLoaded = true;
  render();
}

const keyOf = (m) => (m.direction === 'out' ? `out:${m.id}` : `in:${m.messageId}`);

function render() {
  const list = $('#message-list');
  const sent = recall('sent');
  const seen = new Set();
  const ordered = [];
  for (const m of [...ctl.first, ...ctl.older]) {
    const key = keyOf(m);
    if (seen.has(key)) continue;
    seen.add(key);
    const sig = JSON.stringify(m) + (m.direction === 'out' ? (sent[m.id] || '') : '');
    let row = ctl.rows.get(key);
    if (!row || row.dataset.sig !== sig) {
      const fresh = m.direction === 'out' ? outRow(m, sent[m.id]) : inRow(m);
      fresh.dataset.sig = sig;
      if (row) row.replaceWith(fresh);
      row = fresh;
      ctl.rows.set(key, row);
    }
    ordered.push(row);
  }
  for (const [key, row] of ctl.rows) {
    if (!seen.has(key)) { row.remove(); ctl.rows.delete(key); }
  }
  const current = [...list.children];
  if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i])) list.replaceChildren(...ordered);
  $('#messages-empty').hidden = ordered.length > 0;
  $('#messages-more').hidden = !ctl.cursor;
}

const kindLabel = {
  conversation: 'text', imageMessage: 'image', documentMessage: 'document', audioMessage: 'audio',
  videoMessage: 'video', stickerMessage: 'sticker', locationMessage: 'location', contactMessage: 'contact',
  pollCreationMessage: 'poll',
};

function outRow(m, preview) {
  const receipts = [
    m.sentAt && h('span', { class: 'tick' }, '✓ sent ', when(m.sentAt)),
    m.deliveredAt && h('span', { class: 'tick' }, '✓✓ delivered ', when(m.deliveredAt)),
    m.readAt && h('span', { class: 'tick tick-read' }, '✓✓ read ', when(m.readAt)),
    m.editedAt && h('span', { class: 'tag' }, 'edited ', when(m.editedAt)),
    m.revokedAt && h('span', { class: 'tag' }, 'deleted for everyone ', when(m.revokedAt)),
  ].filter(Boolean);
  return h('li', { class: 'msg msg-out', 'data-testid': 'message-row', 'data-id': m.id, 'data-direction': 'out', 'data-status': m.status },
    h('div', { class: 'msg-head' },
      h('span', { class: 'dir', title: 'Sent', 'aria-label': 'Sent' }, '↗'),
      h('span', { class: 'peer' }, 'To ', h('strong', { text: /^\d+$/.test(m.to) ? `+${m.to}` : m.to })),
      h('span', { class: 'kind-tag', text: m.type }),
      badge(m.status, { 'data-testid': 'message-status' }),
      h('span', { class: 'msg-time' }, when(m.at || m.createdAt))),
    preview ? h('p', { class: 'msg-body', text: preview }) : null,
    receipts.length ? h('p', { class: 'receipts' }, receipts) : null,
    m.error ? h('p', { class: 'msg-error', text: `Error: ${m.error}` }) : null,
    h('p', { class: 'msg-id' }, h('code', { text: m.id }), ` · ${m.lane} lane`));
}

function inRow(m) {
  const who = m.pushName ? [h('strong', { class: 'push-name', text: m.pushName }), ` +${m.from}`] : [h('strong', { text: `+${m.from}` })];
  const body = m.text ?? m.caption;
  return h('li', { class: 'msg msg-in', 'data-testid': 'message-row', 'data-id': m.messageId, 'data-direction': 'in' },
    h('div', { class: 'msg-head' },
      h('span', { class: 'dir', title: 'Received', 'aria-label': 'Received' }, '↙'),
      h('span', { class: 'peer' }, 'From ', who),
      h('span', { class: 'kind-tag', text: kindLabel[m.messageType] || m.messageType }),
      m.isGroup ? h('span', { class: 'tag', text: `group ${m.chat}` }) : null,
      h('span', { class: 'msg-time' }, when(m.at))),
    m.quoted ? h('p', { class: 'quoted' }, '↪ replying to ', h('code', { text: m.quoted.messageId })) : null,
    body !== null && body !== undefined ? h('p', { class: 'msg-body', text: body }) : null,
    m.media ? mediaBlock(m) : null,
    m.location ? h('p', { class: 'msg-body' }, `📍 ${[m.location.name, m.location.address].filter(Boolean).join(', ')} (${m.location.latitude}, ${m.location.longitude})`) : null,
    Array.isArray(m.contacts) && m.contacts.length ? h('ul', { class: 'contacts' },
      m.contacts.map((c) => h('li', { text: `👤 ${c.fullName}: ${(c.phoneNumbers || []).join(', ')}` }))) : null,
    m.poll ? h('div', { class: 'poll' }, h('p', { class: 'msg-body', text: `📊 ${m.poll.question}` }),
      h('ul', {}, (m.poll.options || []).map((o) => h('li', { text: o })))) : null,
    Array.isArray(m.mentions) && m.mentions.length ? h('p', { class: 'muted', text: `Mentions: ${m.mentions.join(', ')}` }) : null,
    h('p', { class: 'msg-id' }, h('code', { text: m.messageId })));
}

// mediaBlock shows a received image inline and offers any other file as
// a download, both through the key-carrying fetch of api.js.
function mediaBlock(m) {
  const md = m.media;
  const size = typeof md.size === 'number' ? ` · ${formatSize(md.size)}` : '';
  const label = `${md.fileName || md.mimetype || 'file'}${size}`;
  const box = h('div', { class: 'media' });
  if (md.error || !md.url) {
    box.append(h('p', { class: 'msg-error', text: `Media not downloaded: ${md.error || 'unknown error'}` }));
    return box;
  }
  const mine = ctl; // the rows die with it (stop revokes its object URLs)
  const get = () => {
    if (!mine.blobs.has(m.messageId)) {
      const p = media(mine.name, m.messageId, md.mimetype);
      p.catch(() => mine.blobs.delete(m.messageId));
      mine.blobs.set(m.messageId, p);
    }
    return mine.blobs.get(m.messageId);
  };
  if (/^image\/(png|jpeg|gif|webp)$/i.test(md.mimetype || '')) {
    const note = h('p', { class: 'help', text: 'Loading image…' });
    box.append(note);
    get().then((got) => {
      note.replaceWith(h('img', { class: 'media-image', src: got.url, alt: `Image from ${m.pushName || m.from}`, 'data-testid': 'inbound-image' }));
    }, (err) => { note.textContent = `Image not shown: ${describe(err)}`; });
    return box;
  }
  const button = h('button', { type: 'button', class: 'btn btn-small' }, 'Download ', h('span', { class: 'file-name', text: label }));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const got = await get();
      const a = h('a', { href: got.url, download: md.fileName || `${m.messageId}` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      box.append(h('p', { class: 'msg-error', text: describe(err) }));
    } finally {
      button.disabled = false;
    }
  });
  box.append(button);
  return box;
}

function formatSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function wire() {
  const filter = $('#messages-filter');
  const again = () => {
    if (!ctl) return;
    ctl.older = [];
    ctl.olderLoaded = false;
    ctl.cursor = null;
    ctl.poll.now();
  };
  filter.addEventListener('change', again);
  filter.addEventListener('submit', (e) => { e.preventDefault(); again(); });
  $('#messages-more').addEventListener('click', () => loadOlder().catch((err) => {
    $('#messages-empty').hidden = false;
    $('#messages-empty').textContent = describe(err);
  }));
}
