// pebble 2.10's lock-order inversion, fixed for the tests' CA. Seen first as our faults suite failing with "ACME server
// ... unreachable (ETIMEDOUT)" once orders of one account ran 16 at a time: pebble stopped answering every request
// that touches its store. Its goroutine dump (SIGQUIT) showed the cycle:
// - NewOrder -> makeAuthorizations -> MemoryStore.FindValidAuthorization holds the store's read lock while it takes
//   each authorization's read lock in turn;
// - the authorization handler (POST-as-GET of an authz, which every new order's client makes to read its challenges)
//   holds that authorization's write lock while it looks the account up, which takes the store's read lock;
// - any store writer (AddCertificate of a finalize, AddOrder of another new order) waiting for the write lock makes
//   Go's RWMutex refuse further readers, so neither of the first two ever goes on.
// The edit: FindValidAuthorization copies the authorizations under the store's lock and looks at each after releasing
// it, so it never waits for an authorization while holding the store. Nothing else of pebble changes. Upstream
// (v2.10.3, and its main branch as of 2026-04) still has the inversion.
import type { SourcePatch } from './patched-go-build.js';

const FILE = 'db/memorystore.go';

const FIND = `func (m *MemoryStore) FindValidAuthorization(accountID string, identifier acme.Identifier) *core.Authorization {
	m.RLock()
	defer m.RUnlock()
	for _, authz := range m.authorizationsByID {`;

const REPLACE = `func (m *MemoryStore) FindValidAuthorization(accountID string, identifier acme.Identifier) *core.Authorization {
	// cert-management-actors' test build: the authorizations are looked at after the store's lock is released.
	m.RLock()
	all := make([]*core.Authorization, 0, len(m.authorizationsByID))
	for _, authz := range m.authorizationsByID {
		all = append(all, authz)
	}
	m.RUnlock()
	for _, authz := range all {`;

export function pebbleLockFix(version: string, pkgDir: string): SourcePatch {
  return {
    module: 'github.com/letsencrypt/pebble/v2',
    version: `v${version}`,
    pkgDir,
    edits: [{ file: FILE, find: FIND, replace: REPLACE }],
  };
}
