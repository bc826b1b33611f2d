// The web interface in a real headless Chromium against five real nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, useDemo, clean } from '../lib/setup.mjs';
import { context, signIn, screenshot } from '../lib/browser.mjs';

const env = useDemo();

test('an envoy signs in and sees the relations of the node', async () => {
  const northland = env.demo.parties.northland;
  const { ctx, page, seen } = await context(env.browser);
  await page.goto(`${northland.url}/ui?from=e2e`);
  assert.match(page.url(), /\/ui\/login\?next=/, 'a page without a session leads to sign-in');
  await page.fill('#token', northland.admin_token);
  await Promise.all([page.waitForURL(`${northland.url}/ui?from=e2e`), page.click('button[type=submit]')]);
  await page.goto(`${northland.url}/ui`);
  assert.equal(await page.textContent('h1'), 'Overview');
  const partners = await page.locator('table tbody tr').allTextContents();
  for (const partner of ['southland', 'eastland', 'farland']) {
    const name = env.demo.parties[partner].name;
    assert.ok(partners.some((row) => row.includes(name)), `${name} is among the relations: ${partners}`);
  }
  await screenshot(page, 'overview');
  clean(seen, 'the overview');
  await ctx.close();
});

test('a wrong token is refused with a reason, and the page still has no CSP violation', async () => {
  const { ctx, page, seen } = await context(env.browser);
  await page.goto(`${env.demo.parties.southland.url}/ui/login`);
  await page.fill('#token', 'ent_wrong');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /unknown or revoked/);
  await screenshot(page, 'sign-in');
  clean(seen, 'the sign-in page');
  await ctx.close();
});

test('signing out ends the session', async () => {
  const eastland = env.demo.parties.eastland;
  const { ctx, page, seen } = await context(env.browser);
  await signIn(page, eastland.url, eastland.admin_token);
  await Promise.all([page.waitForURL(`${eastland.url}/ui/login`), page.click('header form.who button')]);
  await page.goto(`${eastland.url}/ui`);
  assert.match(page.url(), /\/ui\/login/);
  clean(seen, 'sign-out');
  await ctx.close();
});

test('a person signs in with a user account made by `entente user add`', async () => {
  const farland = env.demo.parties.farland;
  execFileSync(BIN, ['--dir', farland.dir, 'user', 'add', 'liaison.officer', '--role', 'admin'], {
    env: { ...process.env, ENTENTE_PASSWORD: 'a long liaison passphrase' },
  });
  const { ctx, page, seen } = await context(env.browser);
  await page.goto(`${farland.url}/ui`);
  await page.fill('#user', 'liaison.officer');
  await page.fill('#password', 'not the passphrase');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /do not match an active account/);
  await page.fill('#user', 'liaison.officer');
  await page.fill('#password', 'a long liaison passphrase');
  await Promise.all([page.waitForURL(`${farland.url}/ui`), page.click('button[type=submit]')]);
  assert.match(await page.textContent('header .who'), /liaison\.officer · admin/);
  clean(seen, 'sign-in with an account');
  await ctx.close();
});
