// A headless Chromium (Debian's `chromium`, driven by playwright-core) and the steps
// every test takes: sign in, open a page, check that the page broke no rule of the
// Content-Security-Policy, take a screenshot.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * A fresh browser context (its own cookies) at 1280×800, recording every CSP
 * violation, dialog (alert/confirm/prompt) and page error it sees.
 */
export async function context(browser, { width = 1280, height = 800 } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height } });
  const seen = { csp: [], dialogs: [], errors: [] };
  ctx.on('page', (page) => watch(page, seen));
  const page = await ctx.newPage();
  watch(page, seen);
  return { ctx, page, seen };
}

function watch(page, seen) {
  page.on('console', (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) seen.csp.push(message.text());
  });
  page.on('dialog', async (dialog) => { seen.dialogs.push(dialog.message()); await dialog.dismiss(); });
  page.on('pageerror', (error) => seen.errors.push(String(error)));
}

/** Signs in to the node at `url` with `token` through the sign-in form. */
export async function signIn(page, url, token) {
  await page.goto(`${url}/ui`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${url}/ui**`), page.click('button[type=submit]')]);
}

/**
 * Saves a screenshot of `page` as NAME.png: into $E2E_SCREENSHOTS (the committed ones
 * in docs/screenshots are made with `bash e2e/run.sh --screenshots`), else e2e/out.
 */
export async function screenshot(page, name) {
  const dir = process.env.E2E_SCREENSHOTS || path.join(import.meta.dirname, '..', 'out');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
}
