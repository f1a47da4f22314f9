// The console's browser test: real headless Chromium, driven by
// playwright-core, against a running gateway with the sandbox driver.
// sessionhost/console_browser_test.go starts the gateway and runs this
// with:
//
//   CONSOLE_URL        the gateway, e.g. http://127.0.0.1:41234
//   CONSOLE_APIKEY     a tenant key; CONSOLE_TENANT its tenant id
//   CONSOLE_ADMIN_KEY  the operator key
//   CONSOLE_OUT        where the screenshots of each step go
//   CONSOLE_README     if set, where the README's screenshots are rewritten
//   CHROMIUM           the browser (default /usr/bin/chromium)
//
// It is CommonJS because NODE_PATH (where `make browser` installs
// playwright-core and jsqr) is not searched by ES module imports.
// Every wait is on something observable (an element, a state, a
// request), never a fixed sleep. It prints one line per step and exits
// non-zero at the first failure, with a screenshot of that moment.
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const jsQR = require('jsqr');

const env = (k, def) => {
  const v = process.env[k] ?? def;
  if (v === undefined || v === '') throw new Error(`${k} is not set`);
  return v;
};
const base = env('CONSOLE_URL').replace(/\/$/, '');
const apikey = env('CONSOLE_APIKEY');
const tenant = env('CONSOLE_TENANT');
const adminKey = env('CONSOLE_ADMIN_KEY');
const outDir = env('CONSOLE_OUT');
const readmeDir = process.env.CONSOLE_README || '';
const chromiumPath = env('CHROMIUM', '/usr/bin/chromium');

const instance = `${tenant}__console__main`;
const XSS = '<img src=x onerror=alert(1)>';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const WAIT = 20000;

// ---------------------------------------------------------------- helpers

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// until polls fn (sync or async) until it returns a truthy value.
async function until(what, fn, timeout = WAIT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// api calls the gateway from the test (the "phone" of the sandbox, and
// checks of what the console did), with the tenant key.
async function api(method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { apikey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A webhook receiver that fails (500) until told to work, so the
// instance's first deliveries go dead.
const hook = { up: false, hits: [] };
const hookServer = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    hook.hits.push({ event: req.headers['x-gateway-event'], delivery: req.headers['x-gateway-delivery'], up: hook.up });
    res.statusCode = hook.up ? 200 : 500;
    res.end();
  });
});

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const file = path.join(outDir, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function readmeShot(page, name) {
  if (!readmeDir) return;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(readmeDir, `console-${name}.png`) });
}

let current = null; // the page a failure screenshot is taken of
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
  } catch (err) {
    console.log(`FAIL ${name}: ${err && err.stack || err}`);
    if (current) {
      try {
        console.log(`  screenshot: ${await screenshot(current, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`)}`);
      } catch { /* the page may be gone */ }
    }
    throw err;
  }
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
  if (current) await screenshot(current, name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
}

// watch records what must never happen on a page: script errors, dialogs
// (an alert() from injected markup would be one), CSP violations.
function watch(page, seen) {
  page.on('pageerror', (err) => seen.errors.push(String(err)));
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.csp.push(m.text());
  });
  page.on('request', (r) => {
    if (r.method() === 'GET' && r.url().includes('/qr')) seen.qrRequests += 1;
  });
  // Before any of the page's own scripts: count what the CSP blocked.
  return page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

// readPixels runs in the page: an image's RGBA pixels at its natural
// size, base64-encoded (a QR code's pixels as a JSON array would be large).
const readPixels = async (img) => {
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  let bin = '';
  for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
  return { width: c.width, height: c.height, rgba: btoa(bin) };
};

function decodeQR({ width, height, rgba }) {
  const data = new Uint8ClampedArray(Buffer.from(rgba, 'base64'));
  const code = jsQR(data, width, height);
  return code ? code.data : null;
}

// noHorizontalScroll: the page is no wider than the viewport.
async function noHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  check(scroll <= client, `${where}: the page scrolls sideways at 375 px (${scroll} > ${client})`);
}

// ------------------------------------------------------------------- test

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  if (readmeDir) fs.mkdirSync(readmeDir, { recursive: true });
  await new Promise((r) => hookServer.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${hookServer.address().port}/hook`;

  // A new, empty profile: nothing from an earlier run (storage, cache).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  const seen = { errors: [], dialogs: [], csp: [], qrRequests: 0 };
  try {
    const page = context.pages()[0] || await context.newPage();
    current = page;
    await watch(page, seen);
    const row = page.locator(`[data-testid=instance-row][data-instance="${instance}"]`);
    const rowState = row.locator('[data-testid=instance-state]');

    await step('GET / opens the console, with its CSP', async () => {
      const res = await page.goto(`${base}/`);
      check(new URL(page.url()).pathname === '/console/', `landed on ${page.url()}`);
      check(res.status() === 200, `status ${res.status()}`);
      const headers = res.headers();
      check(headers['content-security-policy'] === CSP, `CSP is ${headers['content-security-policy']}`);
      check(headers['x-content-type-options'] === 'nosniff', 'nosniff');
      await page.getByTestId('apikey-input').waitFor();
    });

    await step('a wrong key is refused', async () => {
      await page.getByTestId('apikey-input').fill('wgk_not_a_key');
      await page.getByTestId('signin').click();
      await until('the refusal', async () => /not accepted/.test(await page.locator('#signin-error').textContent()));
      check(await page.locator('#tenant-view').isHidden(), 'signed in with a wrong key');
    });

    await step('sign in with the keyboard (Enter)', async () => {
      await page.getByTestId('apikey-input').fill(apikey);
      await page.getByTestId('apikey-input').press('Enter');
      await page.locator('#tenant-view').waitFor();
      const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
      check(stored.includes(apikey), 'the key is not in sessionStorage');
      check(await page.evaluate(() => localStorage.length) === 0, 'something went to localStorage');
      check(!page.url().includes(apikey), 'the key is in the URL');
    });

    await step('create an instance', async () => {
      await page.getByRole('button', { name: 'New instance' }).click();
      await page.getByLabel('Instance name').fill(instance);
      await page.getByLabel('Webhook URL').fill(hookUrl);
      await page.getByTestId('create-instance').click();
      await row.waitFor();
      await until('state close', async () => (await rowState.textContent()) === 'close');
    });

    await step('the QR code is shown, refreshes by itself, and decodes to the current code', async () => {
      await page.getByTestId('link-qr').click();
      const img = page.getByTestId('qr-image');
      await img.waitFor();
      const before = seen.qrRequests;
      await until('the QR code to be fetched again without a click', () => seen.qrRequests >= before + 2);
      const shown = decodeQR(await img.evaluate(readPixels));
      check(shown, 'the QR image shown does not decode');
      // The code on show right now, as the API gives it to anyone asking.
      const now = await page.evaluate(async ({ name, key }) => {
        const r = await fetch(`../instance/${name}/qr`, { headers: { apikey: key } });
        return (await r.json()).qrcode;
      }, { name: instance, key: apikey });
      const nowImg = await page.evaluateHandle((src) => Object.assign(new Image(), { src }), now);
      const fresh = decodeQR(await nowImg.evaluate(readPixels));
      check(shown === fresh, `the QR shown (${shown}) is not the current code (${fresh})`);
      check(/^2@/.test(shown), `not a WhatsApp linking code: ${shown}`);
      await readmeShot(page, 'link');
    });

    await step('the phone scans it: the row turns open without a reload', async () => {
      await page.evaluate(() => { window.__sameDocument = true; });
      await api('POST', `/sandbox/${instance}/scan`, { phoneNumber: '5491100000001' });
      await until('the row to say open', async () => (await rowState.textContent()) === 'open');
      check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
      await until('the QR code to go away', () => page.getByTestId('qr-image').isHidden());
      await until('the detail to say open', async () => (await page.locator('#detail-state').textContent()) === 'open');
    });

    let sentId = '';
    await step('send a text and see it sent, then read', async () => {
      await page.getByRole('tab', { name: 'Send' }).click();
      await page.getByTestId('send-to').fill('5491112345678');
      await page.getByTestId('send-body').fill('Hello from the console');
      await page.getByTestId('send-text').click();
      sentId = await until('the message id', () => page.locator('#send-result').getAttribute('data-message-id'));
      await page.getByRole('tab', { name: 'Messages' }).click();
      const msg = page.locator(`[data-testid=message-row][data-id="${sentId}"]`);
      await until('the message to be sent', async () => (await msg.getAttribute('data-status')) === 'sent');
      check((await msg.getByTestId('message-status').textContent()) === 'sent', 'status badge');
      check((await msg.textContent()).includes('Hello from the console'), 'the text sent is not shown');
      await api('POST', `/sandbox/${instance}/receipt`, { id: sentId, status: 'read' });
      await until('the read receipt', async () => (await msg.locator('.tick-read').count()) === 1);
    });

    await step('inbound media is shown (image) and offered (document)', async () => {
      // A "photo" for the sandbox to deliver: a small PNG drawn here.
      const photo = await page.evaluate(() => {
        const c = Object.assign(document.createElement('canvas'), { width: 240, height: 160 });
        const g = c.getContext('2d');
        const sky = g.createLinearGradient(0, 0, 0, 160);
        sky.addColorStop(0, '#7dd3fc');
        sky.addColorStop(1, '#e0f2fe');
        g.fillStyle = sky;
        g.fillRect(0, 0, 240, 160);
        g.fillStyle = '#0f766e';
        g.fillRect(0, 120, 240, 40);
        g.fillStyle = '#f59e0b';
        g.beginPath();
        g.arc(180, 50, 22, 0, 2 * Math.PI);
        g.fill();
        g.fillStyle = '#78350f';
        g.fillRect(50, 70, 70, 50);
        return c.toDataURL('image/png').split(',')[1];
      });
      await api('POST', `/sandbox/${instance}/inbound`, {
        from: '5491112345678', pushName: 'Juan', messageType: 'imageMessage', caption: 'the broken part',
        messageId: '3EB0IMG00001', media: { base64: photo, mimetype: 'image/png' },
      });
      await api('POST', `/sandbox/${instance}/inbound`, {
        from: '5491112345678', pushName: 'Juan', messageType: 'documentMessage', messageId: '3EB0DOC00001',
        media: { base64: Buffer.from('%PDF-1.4 test').toString('base64'), mimetype: 'application/pdf', fileName: 'invoice-0042.pdf' },
      });
      const img = page.locator('[data-testid=message-row][data-id="3EB0IMG00001"] [data-testid=inbound-image]');
      await img.waitFor();
      check((await img.getAttribute('src')).startsWith('blob:'), 'the image is not a blob: URL');
      await until('the image to load', () => img.evaluate((i) => i.complete && i.naturalWidth === 240));
      const doc = page.locator('[data-testid=message-row][data-id="3EB0DOC00001"]');
      await doc.waitFor();
      check((await doc.locator('.file-name').textContent()).startsWith('invoice-0042.pdf'), 'the file name is not shown');
      const [download] = await Promise.all([page.waitForEvent('download'), doc.getByRole('button', { name: /Download/ }).click()]);
      check(download.suggestedFilename() === 'invoice-0042.pdf', `download named ${download.suggestedFilename()}`);
      if (readmeDir) {
        await page.locator('#main').focus(); // no focus ring in the picture
        await page.setViewportSize({ width: 375, height: 800 });
        await readmeShot(page, 'mobile');
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    await step('a stranger\'s markup is shown as text and runs nothing', async () => {
      await api('POST', `/sandbox/${instance}/inbound`, {
        from: '5491112345678', pushName: XSS, messageType: 'conversation', text: XSS, messageId: '3EB0XSS00001',
      });
      await api('POST', `/sandbox/${instance}/inbound`, {
        from: '5491112345678', pushName: XSS, messageType: 'documentMessage', caption: XSS, messageId: '3EB0XSS00002',
        media: { base64: Buffer.from('<html><script>alert(1)</script>').toString('base64'), mimetype: 'text/html', fileName: `${XSS}.html` },
      });
      const msg = page.locator('[data-testid=message-row][data-id="3EB0XSS00001"]');
      const doc = page.locator('[data-testid=message-row][data-id="3EB0XSS00002"]');
      await msg.waitFor();
      await doc.waitFor();
      check((await msg.locator('.msg-body').textContent()) === XSS, 'the text is not shown literally');
      check((await msg.locator('.push-name').textContent()) === XSS, 'the push name is not shown literally');
      check((await doc.locator('.msg-body').textContent()) === XSS, 'the caption is not shown literally');
      check((await doc.locator('.file-name').textContent()).startsWith(`${XSS}.html`), 'the file name is not shown literally');
      check(await page.locator('#message-list img').count() === 1, 'an <img> was made from a message (only the photo is one)');
      check(await page.locator('img[src="x"]').count() === 0, 'an <img src=x> exists');
      // An HTML file from a stranger is only ever a download, never a page.
      const [download] = await Promise.all([page.waitForEvent('download'), doc.getByRole('button', { name: /Download/ }).click()]);
      check(download.suggestedFilename().endsWith('.html'), `download named ${download.suggestedFilename()}`);
      check(context.pages().length === 1, 'a page was opened');
      check(seen.dialogs.length === 0, `a dialog opened: ${seen.dialogs}`);
    });

    await step('a dead delivery is redelivered', async () => {
      await page.getByRole('tab', { name: 'Deliveries' }).click();
      const dead = page.locator('[data-testid=delivery-row][data-status=dead]').first();
      await dead.waitFor();
      const id = await dead.getAttribute('data-id');
      hook.up = true;
      await dead.getByTestId('redeliver').click();
      const same = page.locator(`[data-testid=delivery-row][data-id="${id}"]`);
      await until('the delivery to be delivered', async () => (await same.getAttribute('data-status')) === 'delivered');
      check(hook.hits.some((h) => h.delivery === id && h.up), 'the receiver never got the redelivery');
    });

    await step('settings and the webhook\'s event filter', async () => {
      await page.getByRole('tab', { name: 'Settings' }).click();
      const form = page.locator('#settings-form');
      await until('the settings to load', () => form.getByLabel(/Typing simulation/).isChecked());
      await form.getByLabel(/Receive group messages/).check();
      await form.getByRole('button', { name: 'Save settings' }).click();
      await until('saved', async () => (await form.locator('.result').textContent()) === 'Saved.');
      check((await api('GET', `/instance/${instance}/settings`)).receiveGroups === true, 'receiveGroups not saved');

      const wh = page.locator('#webhook-form');
      await until('the webhook to load', async () => (await wh.getByLabel('URL').inputValue()) === hookUrl);
      await wh.getByLabel('Secret').fill('a-new-secret-of-24-chars');
      await wh.getByLabel('Only these:').check();
      await until('the event names', async () => (await wh.locator('.event-list input').count()) > 5);
      await wh.locator('.event-list input').evaluateAll((boxes) => {
        for (const b of boxes) b.checked = b.value === 'message.received';
      });
      await wh.getByRole('button', { name: 'Save webhook' }).click();
      await until('saved', async () => (await wh.locator('.result').textContent()) === 'Saved.');
      const got = await api('GET', `/instance/${instance}/webhook`);
      check(JSON.stringify(got.events) === '["message.received"]', `events saved: ${JSON.stringify(got.events)}`);
    });

    await step('the queue per lane, and flush', async () => {
      // Not open: what is sent now waits in the queue.
      await api('POST', `/sandbox/${instance}/disconnect`, { reason: 'replaced' });
      await until('the row to say close', async () => (await rowState.textContent()) === 'close');
      for (let i = 0; i < 2; i++) {
        await api('POST', '/message/text', { instanceName: instance, to: '5491112345678', text: `queued ${i}`, lane: 'bulk' });
      }
      await page.getByRole('tab', { name: 'Overview' }).click();
      const bulk = page.locator('#queue-facts .lane-bulk dd');
      await until('2 queued on bulk', async () => (await bulk.textContent()) === '2');
      await page.getByTestId('flush').click();
      await page.getByTestId('confirm').click();
      await until('the flush notice', async () => /Flushed 2 messages/.test(await page.locator('#toasts').textContent()));
      await until('an empty queue', async () => (await page.locator('#queue-facts .lane-total dd').textContent()) === '0');
      await until('the totals: 1 sent, 2 failed', async () => {
        const t = await page.locator('#totals').textContent();
        const n = (k) => Number((t.match(new RegExp(`${k}\\s*([\\d,]+)`)) || [])[1]);
        return n('Sent') === 1 && n('Failed') === 2;
      });
    });

    await step('tabs work with the arrow keys', async () => {
      await page.getByRole('tab', { name: 'Overview' }).focus();
      await page.keyboard.press('ArrowRight');
      await until('Send selected', async () => (await page.getByRole('tab', { name: 'Send' }).getAttribute('aria-selected')) === 'true');
      check(await page.locator('#panel-send').isVisible(), 'the Send panel is not shown');
      check(await page.evaluate(() => document.activeElement.id) === 'tab-send', 'focus did not follow');
    });

    await step('readable at 375 px: no sideways scrolling', async () => {
      await page.setViewportSize({ width: 375, height: 800 });
      for (const tab of ['overview', 'send', 'messages', 'deliveries', 'settings']) {
        await page.evaluate((h) => { location.hash = h; }, `#/i/${instance}/${tab}`);
        await page.locator(`#panel-${tab}`).waitFor();
        await noHorizontalScroll(page, tab);
      }
      await page.evaluate(() => { location.hash = '#/'; });
      await row.waitFor();
      await noHorizontalScroll(page, 'the instance list');
      await page.getByRole('button', { name: 'New instance' }).click();
      await page.locator('#create-dialog').waitFor();
      await noHorizontalScroll(page, 'the New instance dialog');
      await page.keyboard.press('Escape');
      await page.locator('#create-dialog').waitFor({ state: 'hidden' });
    });

    await step('operator: tenants and keys, then that tenant\'s console', async () => {
      const op = await context.newPage(); // a new tab: its own sessionStorage
      current = op;
      await watch(op, seen);
      await op.setViewportSize({ width: 375, height: 800 });
      await op.goto(`${base}/console/`);
      await op.getByTestId('apikey-input').waitFor();
      await noHorizontalScroll(op, 'the sign-in page');
      await op.getByTestId('apikey-input').fill(adminKey);
      await op.getByLabel('Operator key').check();
      await op.getByTestId('signin').click();
      await op.locator('#operator-view').waitFor();
      await noHorizontalScroll(op, 'the operator view');
      await op.locator('#tenant-id').fill('console-ops');
      await op.getByRole('button', { name: 'Create tenant' }).click();
      await until('the tenant', async () => /console-ops created/.test(await op.locator('#tenant-form .result').textContent()));
      await op.getByRole('button', { name: 'Issue key' }).click();
      const key = await until('the new key', async () => {
        const v = await op.getByTestId('new-key').inputValue();
        return v.startsWith('wgk_') && v;
      });
      check((await op.locator('#issued-keys').textContent()).includes('console-ops'), 'the key is not listed');
      check(!(await op.locator('#issued-keys').textContent()).includes(key), 'the plaintext key is listed');
      await screenshot(op, 'operator-key-issued');
      await op.getByRole('button', { name: 'Sign in with this key' }).click();
      await op.locator('#tenant-view').waitFor();
      await op.locator('#instance-empty').waitFor();
      await op.getByRole('button', { name: 'Sign out' }).click();
      await op.getByTestId('apikey-input').waitFor();
      check(await op.evaluate(() => sessionStorage.length) === 0, 'sign out left the key behind');
    });

    await step('nothing was blocked, thrown or popped up', async () => {
      for (const p of context.pages()) {
        const blocked = await p.evaluate(() => window.__csp || []);
        check(blocked.length === 0, `CSP violations: ${blocked}`);
      }
      check(seen.csp.length === 0, `CSP messages: ${seen.csp}`);
      check(seen.errors.length === 0, `page errors: ${seen.errors}`);
      check(seen.dialogs.length === 0, `dialogs: ${seen.dialogs}`);
    });
  } finally {
    await context.close();
    hookServer.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(() => {
  console.log('console browser test: all steps passed');
}, (err) => {
  if (!/^FAIL/.test(String(err))) console.log(`error: ${err && err.stack || err}`);
  process.exit(1);
});
