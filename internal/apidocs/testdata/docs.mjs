// Loads the API reference in headless Chromium and reports what happened,
// as JSON on stdout, for browser_test.go to judge:
//
//   SHOT_AT='POST /message/text' SEARCH=pairing node docs.mjs <page URL> [screenshot.png ...]
//
// Every request the page makes is recorded; any that is not to the page's
// own origin is aborted and reported in "outside" (data: and blob: URLs
// never reach the network and are not seen here). Console errors, uncaught exceptions
// and Content-Security-Policy violations (the page's CSP is enforced, as
// in a real browser) are reported too, with the operations the rendered
// page shows. Run with NODE_PATH pointing at playwright-core
// (.cache/browser/node_modules, `make browser`).
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// NODE_PATH is honoured by require, not by import.
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const [pageURL, ...shots] = process.argv.slice(2);
const origin = new URL(pageURL).origin;
const report = {
  requests: [], outside: [], consoleErrors: [], pageErrors: [], csp: [],
  status: 0, state: '', operations: [], title: '', error: '', search: [],
};

// A new, empty profile each run (Playwright passes it as --user-data-dir).
const profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
  serviceWorkers: 'block',
});
try {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    report.outside.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('request', (r) => report.requests.push(r.url()));
  page.on('websocket', (ws) => report.outside.push(ws.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') report.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));
  // Init scripts run outside the page's CSP; the listener records every
  // violation the page and its frames report.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });

  // docs.js marks the body when Redoc is done; an uncaught exception
  // means it never will, so that ends the wait at once.
  const crashed = new Promise((_, reject) => page.on('pageerror', reject));
  crashed.catch(() => {});
  const res = await page.goto(pageURL, { waitUntil: 'load' });
  report.status = res.status();
  await Promise.race([page.waitForSelector('body[data-docs]', { state: 'attached', timeout: 60000 }), crashed]);
  report.state = await page.getAttribute('body', 'data-docs');
  report.title = await page.title();

  // Redoc gives each operation a section "…operation/<operationId>" and
  // shows its method and path in the endpoint box at its right.
  report.operations = await page.$$eval('[data-section-id*="operation/"]', (sections) => sections.map((s) => {
    const id = s.getAttribute('data-section-id');
    const verb = s.querySelector('.http-verb');
    const path = verb && verb.nextElementSibling;
    return {
      section: id,
      method: verb ? verb.textContent.trim().toUpperCase() : '',
      path: path ? path.textContent.trim() : '',
      summary: (s.querySelector('h2') || {}).textContent || '',
    };
  }));

  // Let late work (the search worker, lazy images) happen before judging.
  await page.waitForLoadState('networkidle');
  // The screenshots show the operation SHOT_AT names ("POST /message/text"),
  // or the top of the page.
  const at = (process.env.SHOT_AT || '').split(' ');
  const target = report.operations.find((o) => o.method === at[0] && o.path === at[1]);
  if (target) {
    // A few pixels past the section's top, where Redoc's menu counts it
    // as the one being read.
    await page.locator(`[data-section-id="${target.section}"]`).first().evaluate((el) => {
      el.scrollIntoView();
      window.scrollBy(0, 4);
    });
    await page.waitForTimeout(500); // the menu follows the scroll
  }
  for (const path of shots) {
    await page.screenshot({ path }); // the 1280x800 viewport
  }

  // The search box: its index lives in a web worker (worker-src blob:).
  if (process.env.SEARCH) {
    await page.fill('input[placeholder="Search..."]', process.env.SEARCH);
    const results = page.locator('[data-role="search:results"] [data-item-id]');
    await results.first().waitFor({ timeout: 10000 }).catch(() => {});
    report.search = await results.evaluateAll((items) => items.map((i) => i.getAttribute('data-item-id')));
  }
  report.csp = await page.evaluate(() => window.__csp);
} catch (e) {
  // Reported, not thrown: what the page did until then is the clue.
  report.error = String(e);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report));
