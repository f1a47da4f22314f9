// Regenerates the vendored renderer in static/ from the npm registry:
//
//   node internal/apidocs/vendor.mjs
//
// It fetches the pinned redoc tarball with `npm pack`, refuses it unless
// its integrity is the one pinned here (the registry's dist.integrity),
// takes only the standalone bundle (what the page loads) and its license
// texts, applies the patches below and gzips the bundle, since at 1.1 MB
// it is over the repository's 1 MB limit per file. Run it to move to
// another version: change VERSION and INTEGRITY (npm view redoc@X
// dist.integrity), run, check that every patch still applies, run the
// browser test, update static/README.md.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const VERSION = '2.5.4';
const INTEGRITY = 'sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==';

// Each patch replaces a string that must occur exactly once.
const PATCHES = [
  {
    // The sidebar's footer, "API docs by Redocly": a link to redocly.com
    // with a logo loaded from cdn.redoc.ly on every page view. The page
    // must load nothing from outside the gateway (and its CSP would block
    // the logo, an error in the console), so the footer is plain text.
    why: 'sidebar footer: no link out, no logo from cdn.redoc.ly',
    from: 'n.createElement(hv,null,n.createElement("a",{target:"_blank",rel:"noopener noreferrer",href:"https://redocly.com/redoc/"},n.createElement(pw,null),"API docs by Redocly"))',
    to: 'n.createElement(hv,null,"API docs by Redoc")',
  },
  {
    // The logo's component, unused after the patch above: no host name
    // left in the bundle to load from by mistake.
    why: 'logo component: no cdn.redoc.ly URL',
    from: 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"',
    to: 'src:"data:,"',
  },
];

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'static');
const work = mkdtempSync(join(tmpdir(), 'redoc-'));
try {
  const tgz = execFileSync('npm', ['pack', '--silent', `redoc@${VERSION}`], { cwd: work, encoding: 'utf8' }).trim();
  const got = 'sha512-' + createHash('sha512').update(readFileSync(join(work, tgz))).digest('base64');
  if (got !== INTEGRITY) throw new Error(`redoc@${VERSION}: integrity ${got}, want ${INTEGRITY}`);
  execFileSync('tar', ['xzf', tgz, 'package/LICENSE', 'package/bundles/redoc.standalone.js',
    'package/bundles/redoc.standalone.js.LICENSE.txt'], { cwd: work });

  let js = readFileSync(join(work, 'package/bundles/redoc.standalone.js'), 'utf8');
  for (const p of PATCHES) {
    const n = js.split(p.from).length - 1;
    if (n !== 1) throw new Error(`patch "${p.why}": found ${n} times, want 1`);
    js = js.replace(p.from, () => p.to);
  }
  // Level 9 and no name or time in the header: the same input gives the
  // same bytes, so a rerun does not change the committed file.
  writeFileSync(join(out, 'redoc.standalone.js.gz'), gzipSync(js, { level: 9 }));
  writeFileSync(join(out, 'LICENSE.redoc'), readFileSync(join(work, 'package/LICENSE')));
  writeFileSync(join(out, 'NOTICE.redoc-bundle'), readFileSync(join(work, 'package/bundles/redoc.standalone.js.LICENSE.txt')));
  console.log(`redoc@${VERSION}: ${Buffer.byteLength(js)} bytes, patched ${PATCHES.length}, written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
