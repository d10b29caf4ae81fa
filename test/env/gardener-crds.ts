// Gardener's DNSRecord CRD (extensions.gardener.cloud/v1alpha1), as Gardener seeds have it, for --use-dnsrecords:
// taken from the module gardener cert-management v0.27.0 builds against (github.com/gardener/gardener v1.147.2,
// example/seed-crds), fetched once through the Go module proxy and cached next to the server binaries. The file's
// SHA-256 is pinned, so a different copy is noticed rather than tested against.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvError } from './env-error.js';
import { binaryCacheDir } from './paths.js';

const run = promisify(execFile);

const MODULE = 'github.com/gardener/gardener';
const VERSION = 'v1.147.2';
const FILE = 'example/seed-crds/10-crd-extensions.gardener.cloud_dnsrecords.yaml';
const SHA256 = 'c640c80d6dfe4c104505c789f5df3ba5c2e4c6b29e9cd255a758e40c531339b9';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The directory holding the CRD file (for loadCrds). */
export async function dnsRecordCrdDir(log: (line: string) => void = () => {}): Promise<string> {
  const dir = join(binaryCacheDir(), `gardener-${VERSION}-dnsrecord-crd`);
  const cached = join(dir, 'dnsrecords.yaml');
  if (existsSync(cached) && sha256(cached) === SHA256) return dir;
  log(`fetching the DNSRecord CRD of ${MODULE}@${VERSION}`);
  let moduleDir: string | undefined;
  try {
    // Outside any module: the checksum database verifies the zip.
    const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@${VERSION}`], {
      cwd: tmpdir(),
      env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
      maxBuffer: 16 << 20,
    });
    moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new EnvError(
      `downloading ${MODULE}@${VERSION} failed`,
      'check that Go is installed and the Go module proxy is reachable (GOPROXY)',
      (e.stderr?.trim() || e.stdout?.trim() || e.message).split('\n').slice(-15).join('\n'),
    );
  }
  const src = moduleDir && join(moduleDir, FILE);
  if (!src || !existsSync(src)) throw new EnvError(`no ${FILE} in ${moduleDir}`, 'check the module version');
  if (sha256(src) !== SHA256) throw new EnvError(`${src} is not the expected file`, `expected SHA-256 ${SHA256}`);
  mkdirSync(dir, { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  copyFileSync(src, tmp);
  renameSync(tmp, cached);
  return dir;
}
