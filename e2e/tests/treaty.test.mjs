// Two envoys in two browsers conclude a treaty between nodes that had no relation:
// Farland (a distant state) and CivicCERT (an NGO CERT) — contact, recognition by
// fingerprint, a proposal drafted in the form, acceptance, both signatures — and the
// intelligence the treaty allows then arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo, clean } from '../lib/setup.mjs';
import { context, signIn, screenshot } from '../lib/browser.mjs';

const env = useDemo();

/**
 * Reloads `url` until `predicate(view)` holds, where view = { state, text, sign }: the
 * relation's state badge, the page's text, whether signing is offered (delivery and
 * sync are asynchronous).
 */
async function until(page, url, predicate, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(url);
    const view = {
      state: (await page.locator('h1 .state').count()) ? await page.textContent('h1 .state') : null,
      text: await page.textContent('main'),
      sign: (await page.locator('input[name=move][value=sign]').count()) > 0,
    };
    if (predicate(view)) return view;
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms; state ${view.state}:\n${view.text}`);
    await page.waitForTimeout(1000);
  }
}

/** Contacts `other` by URL and recognizes it with the fingerprint given out of band. */
async function contactAndRecognize(page, me, other) {
  await page.goto(`${me.url}/ui/partners`);
  await page.fill('#contact-url', other.url);
  await Promise.all([page.waitForURL(`${me.url}/ui/partners/${other.node_id}`), page.click('form.contact button')]);
  assert.match(await page.textContent('main'), new RegExp(other.fingerprint.slice(0, 11)));
  await page.fill('#fingerprint', other.fingerprint);
  await Promise.all([page.waitForLoadState('load'), page.click('form:has(#fingerprint) button')]);
}

test('two envoys conclude a treaty in their browsers and the intelligence it allows arrives', async () => {
  const { farland, civiccert } = env.demo.parties;
  const far = await context(env.browser);
  const civic = await context(env.browser);
  await signIn(far.page, farland.url, farland.admin_token);
  await signIn(civic.page, civiccert.url, civiccert.admin_token);

  await contactAndRecognize(far.page, farland, civiccert);
  await contactAndRecognize(civic.page, civiccert, farland);
  const farToCivic = `${farland.url}/ui/partners/${civiccert.node_id}`;
  const civicToFar = `${civiccert.url}/ui/partners/${farland.node_id}`;
  await until(far.page, farToCivic, (view) => view.state === 'recognized', 'mutual recognition');

  // Farland drafts the treaty in the form, looks at its JSON, and sends it.
  await far.page.goto(`${farToCivic}/draft`);
  await far.page.fill('#title', 'Farland–CivicCERT counter-terrorism exchange');
  await far.page.fill('#purpose', 'To share public counter-terrorism briefs.');
  await far.page.fill('#topics', 'counter-terrorism');
  await far.page.fill('#object_types', '');
  await far.page.selectOption('#tlp', 'green');
  await Promise.all([far.page.waitForLoadState('load'), far.page.click('button[value=preview]')]);
  assert.match(await far.page.textContent('main'), /"title": "Farland–CivicCERT counter-terrorism exchange"/);
  await screenshot(far.page, 'treaty-draft');
  await Promise.all([far.page.waitForURL(farToCivic), far.page.click('button[value=send]')]);

  // CivicCERT reads the terms in plain language and accepts.
  const proposal = await until(civic.page, civicToFar, (view) => view.state === 'negotiating', 'the proposal arriving');
  assert.match(proposal.text, /Under negotiation/);
  assert.match(proposal.text, /TLP:GREEN/);
  await Promise.all([civic.page.waitForLoadState('load'), civic.page.click('form:has(input[value=accept]) button')]);

  // Both sign.
  await until(far.page, farToCivic, (view) => view.sign, 'the acceptance arriving');
  await Promise.all([far.page.waitForLoadState('load'), far.page.click('form:has(input[value=sign]) button')]);
  await until(civic.page, civicToFar, (view) => view.sign, 'sign offered to CivicCERT');
  await Promise.all([civic.page.waitForLoadState('load'), civic.page.click('form:has(input[value=sign]) button')]);
  const inForce = await until(far.page, farToCivic, (view) => view.state === 'in-force', 'the treaty in force at Farland');
  assert.doesNotMatch(inForce.text, /No treaty is in force/);
  await until(civic.page, civicToFar, (view) => view.state === 'in-force', 'the treaty in force at CivicCERT');
  await screenshot(far.page, 'partner');

  // What the treaty allows arrives: Farland's TLP:GREEN counter-terrorism brief.
  const brief = env.demo.parties.northland.received.find((o) => o.from === 'farland' && o.tlp === 'green');
  assert.ok(brief, 'the demo has a green brief from Farland');
  const search = `${civiccert.url}/ui/intel?q=${encodeURIComponent(brief.name.split(':')[0])}`;
  const deadline = Date.now() + 90_000;
  let link = null;
  for (;;) {
    await civic.page.goto(search);
    const found = civic.page.locator(`main a[href="/ui/intel/object/${brief.id}"]`);
    if (await found.count()) { link = await found.first().getAttribute('href'); break; }
    if (Date.now() > deadline) assert.fail(`${brief.name} did not arrive at CivicCERT`);
    await civic.page.waitForTimeout(2000);
  }
  await screenshot(civic.page, 'intelligence');
  await civic.page.goto(`${civiccert.url}${link}`);
  const object = await civic.page.textContent('main');
  await screenshot(civic.page, 'object');
  assert.match(object, new RegExp(brief.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(object, /Farland/, 'the provenance names the originator');
  // Nothing above the treaty's TLP:GREEN came: Farland's amber objects stay home.
  const amber = env.demo.parties.northland.received.find((o) => o.from === 'farland' && o.tlp === 'amber');
  await civic.page.goto(`${civiccert.url}/ui/intel/object/${amber.id}`);
  assert.equal(await civic.page.locator('h1').textContent().then((t) => /404|not found/i.test(t)), true, 'an amber object is not there');

  await far.page.goto(`${farland.url}/ui/partners`);
  await far.page.waitForSelector('#partners-graph canvas', { timeout: 15_000 });
  await screenshot(far.page, 'partners');

  clean(far.seen, "Farland's pages");
  clean(civic.seen, "CivicCERT's pages");
  await far.ctx.close();
  await civic.ctx.close();
});
