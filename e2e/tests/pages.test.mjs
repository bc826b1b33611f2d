// The analyst's and the envoy's other pages on a demo node: the divergence matrix of
// the real designation lists, the ledger with its verification, alliances. Each is
// checked for content, for CSP violations, and photographed for docs/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, useDemo, clean } from '../lib/setup.mjs';
import { context, signIn, screenshot } from '../lib/browser.mjs';

const DESIGNATIONS = new URL('../../../shared/data/designations/', import.meta.url).pathname;

const env = useDemo();

test('an analyst reads the divergence matrix of the UN, OFAC and Canadian lists', async () => {
  const eastland = env.demo.parties.eastland;
  execFileSync(BIN, ['--dir', eastland.dir, 'designations', 'import',
    `${DESIGNATIONS}un-consolidated.xml`, `${DESIGNATIONS}ofac-sdn.csv`, `${DESIGNATIONS}canada-listed-terrorist-entities.json`],
  { stdio: 'ignore' });
  const { ctx, page, seen } = await context(env.browser);
  await signIn(page, eastland.url, eastland.admin_token);
  await page.goto(`${eastland.url}/ui/designations?q=hizb`);
  const matrix = await page.textContent('main');
  assert.match(matrix, /Hizb/i, 'an entity named on the lists');
  const headers = await page.locator('main table thead th').allTextContents();
  assert.ok(headers.length >= 3, `authorities as columns: ${headers}`);
  await screenshot(page, 'designations');
  // Filtering to rows where the authorities differ keeps the page usable.
  await page.goto(`${eastland.url}/ui/designations?divergent=on`);
  assert.ok(await page.locator('main table tbody tr').count() > 0, 'divergent rows');
  clean(seen, 'the designations matrix');
  await ctx.close();
});

test('an envoy reads the ledger, verified, and the alliance the demo founded', async () => {
  const northland = env.demo.parties.northland;
  const { ctx, page, seen } = await context(env.browser);
  await signIn(page, northland.url, northland.admin_token);
  await page.goto(`${northland.url}/ui/ledger`);
  const ledger = await page.textContent('main');
  assert.match(ledger, /verified|intact/i, `the chain's verification status: ${ledger.slice(0, 400)}`);
  assert.ok(await page.locator('main table tbody tr').count() > 5, 'entries listed');
  await screenshot(page, 'ledger');
  await page.goto(`${northland.url}/ui/alliances`);
  assert.match(await page.textContent('main'), /Northern Marches Security Alliance/);
  await page.click('main a[href^="/ui/alliances/"]');
  await page.waitForLoadState('load');
  assert.match(await page.textContent('main'), /Southland/);
  await screenshot(page, 'alliance');
  await page.goto(`${northland.url}/ui`);
  await screenshot(page, 'overview');
  clean(seen, 'the ledger and alliances');
  await ctx.close();
});

test('every main page fits a tablet (800 px) without sideways scrolling', async () => {
  const northland = env.demo.parties.northland;
  const { ctx, page, seen } = await context(env.browser, { width: 800, height: 1100 });
  await signIn(page, northland.url, northland.admin_token);
  const object = northland.received[0].id;
  const southland = env.demo.parties.southland.node_id;
  for (const path of ['/ui', '/ui/partners', `/ui/partners/${southland}`, '/ui/alliances', '/ui/intel',
    `/ui/intel/object/${object}`, '/ui/intel/import', '/ui/designations', '/ui/ledger']) {
    await page.goto(`${northland.url}${path}`);
    const { scroll, width } = await page.evaluate(() => ({
      scroll: document.scrollingElement.scrollWidth,
      width: document.scrollingElement.clientWidth,
    }));
    assert.ok(scroll <= width + 1, `${path} is ${scroll} px wide in a ${width} px window`);
  }
  await screenshot(page, 'tablet');
  clean(seen, 'pages at tablet width');
  await ctx.close();
});

test('an analyst drops a bundle on the import page and finds its objects', async () => {
  const eastland = env.demo.parties.eastland;
  const { ctx, page, seen } = await context(env.browser);
  await signIn(page, eastland.url, eastland.admin_token);
  await page.goto(`${eastland.url}/ui/intel/import`);
  const now = new Date().toISOString();
  const id = `malware--${crypto.randomUUID()}`;
  const bundle = {
    type: 'bundle',
    id: `bundle--${crypto.randomUUID()}`,
    objects: [{ type: 'malware', spec_version: '2.1', id, created: now, modified: now, name: 'Dropped Dropper', is_family: true }],
  };
  // A real drop: a DataTransfer holding a File, dispatched as the browser would.
  const transfer = await page.evaluateHandle((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    return data;
  }, JSON.stringify(bundle));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent('#drop-zone', type, { dataTransfer: transfer });
  }
  await page.waitForSelector('#import-result:not([hidden])', { timeout: 30_000 });
  assert.match(await page.textContent('#result-summary'), /1/);
  await page.goto(`${eastland.url}/ui/intel?q=Dropped`);
  assert.equal(await page.locator(`main a[href="/ui/intel/object/${id}"]`).count() > 0, true, 'the dropped object is found');
  clean(seen, 'the import page');
  await ctx.close();
});
