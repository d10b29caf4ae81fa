// Builds (or finds) every server the local stack needs, so CI pays the build once and caches it outside the repo.
// `--dns-real`: also gardener's dns-controller-manager and its CRDs, for the real dns lane (`npm run test:dns-real`).
import { realDnsCrdsDir } from './dns-real.js';
import { ensureDnsControllerManager, ensureServerBinaries } from './server-binaries.js';

const started = Date.now();
const log = (line: string) => console.error(`[env:build] ${line}`);
try {
  const bins = await ensureServerBinaries(log);
  const real = process.argv.includes('--dns-real')
    ? { dnsControllerManager: await ensureDnsControllerManager(log), dnsCrds: await realDnsCrdsDir(log) }
    : {};
  console.log(JSON.stringify({ ...bins, ...real, seconds: Math.round((Date.now() - started) / 100) / 10 }));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
