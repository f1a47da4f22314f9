// The Send tab: a test message of any kind, through the same routes any
// client uses (POST /message/{kind}). The API does not list what a
// message said, so the text of what is sent from here is remembered in
// this tab, for the Messages tab to show.
import { $, $$, h, setText } from './dom.js';
import { call } from './api.js';
import { busy } from './ui.js';
import { remember } from './session.js';

const withText = new Set(['text', 'image', 'document', 'video']); // take mentions

let instance = null;

export function start(name) {
  instance = name;
  showKind();
  return { stop() { instance = null; } };
}

// showKind shows the fields of the chosen kind; the others are disabled
// too, so the form never reads them.
function showKind() {
  const kind = $('#send-kind').value;
  for (const fs of $$('#send-form fieldset.kind')) {
    const on = fs.dataset.kinds.split(' ').includes(kind);
    fs.hidden = !on;
    fs.disabled = !on;
  }
}

const opt = (v) => (v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim());
const num = (v) => (opt(v) === undefined ? undefined : Number(v));

// body builds the request for the chosen kind from the form.
function body(f, kind) {
  const b = { instanceName: instance, to: f.to.value.trim(), lane: f.lane.value };
  const url = () => opt(f.url.value);
  switch (kind) {
    case 'text': b.text = f.text.value; break;
    case 'image': b.imageUrl = url(); b.caption = opt(f.caption.value); b.viewOnce = f.viewOnce.checked; break;
    case 'video': b.videoUrl = url(); b.caption = opt(f.caption.value); b.viewOnce = f.viewOnce.checked; break;
    case 'document': b.documentUrl = url(); b.fileName = opt(f.fileName.value); b.caption = opt(f.caption.value); break;
    case 'audio': b.audioUrl = url(); break;
    case 'sticker': b.stickerUrl = url(); break;
    case 'location':
      b.latitude = num(f.latitude.value); b.longitude = num(f.longitude.value);
      b.name = opt(f.name.value); b.address = opt(f.address.value);
      break;
    case 'contact': b.contacts = [{ fullName: f.fullName.value.trim(), phoneNumber: f.contactPhone.value.trim() }]; break;
    case 'poll':
      b.question = f.question.value.trim();
      b.options = f.options.value.split('\n').map((s) => s.trim()).filter(Boolean);
      break;
    case 'reaction': b.messageId = f.messageId.value.trim(); b.emoji = f.emoji.value.trim(); break;
  }
  b.replyTo = opt(f.replyTo.value);
  const mentions = (f.mentions.value || '').split(/[\s,]+/).filter(Boolean);
  if (mentions.length && withText.has(kind)) b.mentions = mentions;
  return JSON.parse(JSON.stringify(b)); // drops the fields left undefined
}

// preview is what the Messages tab shows for a message sent from here.
function preview(b, kind) {
  switch (kind) {
    case 'text': return b.text;
    case 'location': return `📍 ${b.name || ''} ${b.latitude}, ${b.longitude}`.trim();
    case 'contact': return `👤 ${b.contacts[0].fullName}`;
    case 'poll': return `📊 ${b.question} (${b.options.join(' / ')})`;
    case 'reaction': return b.emoji ? `${b.emoji} on ${b.messageId}` : `reaction removed from ${b.messageId}`;
    default: return [b.fileName, b.caption].filter(Boolean).join(' — ') || kind;
  }
}

export function wire() {
  $('#send-kind').addEventListener('change', showKind);
  const form = $('#send-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!instance) return;
    const result = $('#send-result');
    setText(result, '');
    delete result.dataset.messageId;
    busy(form, async () => {
      const kind = $('#send-kind').value;
      const b = body(form.elements, kind);
      const r = await call('POST', `message/${kind}`, { body: b });
      remember('sent', r.id, preview(b, kind));
      result.dataset.messageId = r.id;
      result.replaceChildren('Queued on the ', h('code', { text: r.lane }), ' lane as ', h('code', { class: 'id', text: r.id }),
        '. Follow it under ', h('a', { href: `#/i/${encodeURIComponent(instance)}/messages`, text: 'Messages' }), '.');
    });
  });
}
