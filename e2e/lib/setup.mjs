// What every test file does: five demo nodes and one Chromium for the file, stopped
// after it; and the check that a page broke no rule.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from './demo.mjs';
import { launch } from './browser.mjs';

/** The binary under test (ENTENTE_BIN, else the workspace's debug build). */
export const BIN = process.env.ENTENTE_BIN || new URL('../../target/debug/entente', import.meta.url).pathname;

/** Starts the demo and the browser before the file's tests; `{ demo, browser }` then. */
export function useDemo() {
  const env = {};
  before(async () => {
    env.demo = await startDemo(BIN);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.demo?.stop();
  });
  return env;
}

/** Asserts that a context's pages broke no CSP rule, raised no dialog and threw no error. */
export function clean(seen, where) {
  assert.deepEqual(seen.csp, [], `CSP violations on ${where}`);
  assert.deepEqual(seen.dialogs, [], `dialogs on ${where}`);
  assert.deepEqual(seen.errors, [], `script errors on ${where}`);
}
