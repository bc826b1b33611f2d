// Stored XSS through shared content, MISP's old wound: a partner (Southland) uploads,
// in its browser, objects whose names, descriptions, labels, aliases, external
// references and custom properties are hostile markup (crates/entente-server/tests/it/
// web/hostile.json); they travel to Northland under the treaty; Northland's analyst
// opens the search page and every object page in a real Chromium, and nothing runs:
// no dialog, no script error, no CSP violation (nothing even tried to run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useDemo } from '../lib/setup.mjs';
import { context, signIn, screenshot } from '../lib/browser.mjs';

const HOSTILE = JSON.parse(readFileSync(new URL('../../crates/entente-server/tests/it/web/hostile.json', import.meta.url)));
const TLP_GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';
const TAG = 'hostilee2e';

const env = useDemo();
let scratch;

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'entente-e2e-'));
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A STIX bundle: one threat actor and one malware per payload, hostile everywhere. */
function hostileBundle() {
  const now = new Date().toISOString();
  const objects = [];
  HOSTILE.payloads.forEach((payload, n) => {
    const url = HOSTILE.urls[n % HOSTILE.urls.length];
    const common = {
      spec_version: '2.1',
      created: now,
      modified: now,
      name: `${TAG} ${n} ${payload}`,
      description: `${payload} described ${payload}`,
      labels: [payload, TAG],
      object_marking_refs: [TLP_GREEN],
      external_references: [{ source_name: payload, url, description: payload }],
      x_hostile_note: payload,
    };
    objects.push({ type: 'threat-actor', id: `threat-actor--${randomUUID()}`, aliases: [payload], ...common });
    objects.push({ type: 'malware', id: `malware--${randomUUID()}`, is_family: true, aliases: [payload], ...common });
  });
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}

test('hostile content uploaded by a partner reaches another node and nothing in it runs', async () => {
  const { southland, northland } = env.demo.parties;
  const bundle = hostileBundle();
  const file = path.join(scratch, 'hostile.json');
  writeFileSync(file, JSON.stringify(bundle));

  // Southland's analyst uploads the file through the import page (XHR with progress).
  const south = await context(env.browser);
  await signIn(south.page, southland.url, southland.admin_token);
  await south.page.goto(`${southland.url}/ui/intel/import`);
  await south.page.setInputFiles('#import-file', file);
  await south.page.waitForSelector('#import-result:not([hidden])', { timeout: 60_000 });
  const summary = await south.page.textContent('#result-summary');
  assert.match(summary, new RegExp(`${bundle.objects.length}`), `all ${bundle.objects.length} stored: ${summary}`);
  await screenshot(south.page, 'import');

  // They reach Northland under the Northland–Southland treaty.
  const north = await context(env.browser);
  await signIn(north.page, northland.url, northland.admin_token);
  const search = `${northland.url}/ui/intel?q=${TAG}`;
  const deadline = Date.now() + 90_000;
  let links = [];
  for (;;) {
    await north.page.goto(search);
    links = await north.page.locator('main a[href^="/ui/intel/object/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    if (links.length > 0 || Date.now() > deadline) break;
    await north.page.waitForTimeout(2000);
  }
  assert.ok(links.length > 0, 'the hostile objects arrived at Northland');
  await screenshot(north.page, 'hostile-search');

  for (const link of [...new Set(links)]) {
    await north.page.goto(`${northland.url}${link}`);
    await north.page.waitForLoadState('load');
    // Hover, focus and click-free-activate everything, in case a handler slipped into an attribute.
    await north.page.evaluate(() => {
      for (const element of document.querySelectorAll('body *')) {
        for (const type of ['mouseover', 'mouseenter', 'focus', 'load']) element.dispatchEvent(new Event(type));
        if (typeof element.focus === 'function') element.focus();
      }
    });
    assert.equal(await north.page.evaluate(() => typeof window.__pwned), 'undefined');
  }
  await north.page.goto(`${northland.url}${links[0]}`);
  await screenshot(north.page, 'hostile-object');

  for (const [who, seen] of [['Southland', south.seen], ['Northland', north.seen]]) {
    assert.deepEqual(seen.dialogs, [], `${who}: a hostile payload opened a dialog`);
    assert.deepEqual(seen.errors, [], `${who}: script errors`);
    assert.deepEqual(seen.csp, [], `${who}: something tried to run and the CSP stopped it`);
  }
  await south.ctx.close();
  await north.ctx.close();
});
