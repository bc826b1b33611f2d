// Five real Entente nodes for the tests: `entente demo --json` starts them on
// loopback in a temporary directory (relations, treaties, intelligence, sync), prints
// one JSON document with each party's URL and admin token, and serves until SIGINT.
import { spawn } from 'node:child_process';

/** Starts the demo; resolves when its JSON has been printed. */
export async function startDemo(bin, { timeoutMs = 240_000 } = {}) {
  const child = spawn(bin, ['demo', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => { err += chunk; });
  const report = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`entente demo printed nothing usable in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`entente demo exited with ${code}:\n${err}`)); });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      try {
        const parsed = JSON.parse(out);
        clearTimeout(timer);
        resolve(parsed);
      } catch { /* not whole yet */ }
    });
  });
  const parties = Object.fromEntries(report.parties.map((party) => [party.handle, party]));
  return {
    report,
    parties,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
