// Linking a phone: a QR code that refreshes by itself, or a pairing code.
// The QR code rotates on WhatsApp's side (every 20 s after the first
// minute), so it is fetched again every few seconds while shown; the
// instance's state (polled by detail.js) tells when the phone is linked.
import { $, setText } from './dom.js';
import { call, enc, ApiError, describe } from './api.js';
import { every } from './poll.js';
import { busy, toast } from './ui.js';

const QR_EVERY = 3000;
// After this long unscanned the console stops asking (WhatsApp itself
// gives up after about 2½ minutes, and asking again would start over
// with a new session, again and again, in a forgotten tab).
const QR_FOR = 3 * 60 * 1000;

let name = null;
let qr = null; // the refresh loop, while a code is shown
let qrSince = 0;
let linked = false;
let lastState = '';

// update follows the instance's status: the section shows while no
// phone is linked, and the QR code stops once the instance is open.
export function update(instanceName, status) {
  if (name !== instanceName) reset(instanceName);
  lastState = status.state;
  const needsLink = !status.phoneNumber && status.state !== 'open';
  $('#link').hidden = !needsLink;
  if (status.state === 'open' && !linked) {
    linked = true;
    if (qr) stopQR('');
    setText($('#pair-code'), '');
    $('#pair-code').hidden = true;
    if (status.phoneNumber) toast(`Linked to +${status.phoneNumber}.`);
  }
  if (status.state !== 'open') linked = false;
}

// select shows the section for another instance, with nothing linking.
export function select(instanceName) { reset(instanceName); }

export function stop() {
  if (qr) qr.stop();
  qr = null;
  name = null;
}

function reset(instanceName) {
  stop();
  name = instanceName;
  linked = false;
  const img = $('#qr-image');
  img.hidden = true;
  img.removeAttribute('src');
  $('#qr-placeholder').hidden = false;
  setText($('#qr-note'), '');
  setText($('#qr-start'), 'Show QR code');
  $('#qr-start').hidden = false;
  $('#pair-code').hidden = true;
  setText($('#pair-form .form-error'), '');
}

function stopQR(note) {
  if (qr) qr.stop();
  qr = null;
  $('#qr-image').hidden = true;
  $('#qr-placeholder').hidden = false;
  setText($('#qr-note'), note);
  setText($('#qr-start'), 'Show a new code');
  $('#qr-start').hidden = false;
}

async function refreshQR() {
  if (!name) return;
  if (Date.now() - qrSince > QR_FOR) {
    stopQR('The code expired unscanned.');
    return;
  }
  if ($('#panel-overview').hidden) return; // not on screen: do not ask
  const asked = name;
  let got;
  try {
    got = await call('GET', `instance/${enc(asked)}/qr`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      // Scanned: the phone and WhatsApp finish linking (connecting).
      stopQR(lastState === 'connecting' ? 'Scanned. Waiting for WhatsApp to confirm…' : describe(err));
      return;
    }
    setText($('#qr-note'), describe(err));
    throw err;
  }
  if (name !== asked || !qr) return;
  const code = got && typeof got.qrcode === 'string' ? got.qrcode : '';
  // Only a PNG data: URL goes into src (the CSP allows data: images).
  if (!code.startsWith('data:image/png;base64,')) return;
  const img = $('#qr-image');
  if (img.getAttribute('src') !== code) img.src = code;
  img.hidden = false;
  img.dataset.refreshedAt = new Date().toISOString();
  $('#qr-placeholder').hidden = true;
  setText($('#qr-note'), 'The code refreshes by itself while it is shown. Scan it with the phone.');
}

export function wire() {
  $('#qr-start').addEventListener('click', () => {
    if (!name) return;
    qrSince = Date.now();
    $('#qr-start').hidden = true;
    setText($('#qr-note'), 'Asking WhatsApp for a code…');
    if (qr) qr.stop();
    qr = every(QR_EVERY, refreshQR);
  });
  const form = $('#pair-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!name) return;
    busy(form, async () => {
      const r = await call('POST', `instance/${enc(name)}/pairing-code`, { body: { phoneNumber: form.elements.phoneNumber.value.trim() } });
      const out = $('#pair-code');
      setText(out, r.pairingCode);
      out.hidden = false;
    });
  });
}
