// Builds (or finds) every server the local stack needs, so CI pays the build once and caches it outside the repo.
import { ensureServerBinaries } from './server-binaries.js';

const started = Date.now();
try {
  const bins = await ensureServerBinaries((line) => console.error(`[env:build] ${line}`));
  console.log(JSON.stringify({ ...bins, seconds: Math.round((Date.now() - started) / 100) / 10 }));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
