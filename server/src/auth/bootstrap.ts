// First start (issue 8 §1): with no users at all, create `admin` with a random password that is printed
// once and stored only as a hash — there is no default password anywhere. CAMFLEET_ADMIN_PASSWORD sets the
// admin's password instead (at every start: demos, tests and provisioning know it); CAMFLEET_ADMIN_TOKEN
// installs an admin API token named `environment` for provisioning scripts (docs/security.md).
import type { AuthStore } from './store.ts';
import { newPassword } from './secrets.ts';

export interface BootstrapOptions {
  adminPassword?: string;
  adminToken?: string;
  /** Told the generated password once; prints it to the console in the server. */
  announce: (username: string, password: string) => void;
}

export async function bootstrapAuth(store: AuthStore, opts: BootstrapOptions): Promise<void> {
  if (opts.adminPassword) {
    await store.putUser('admin', opts.adminPassword, 'admin', true);
  } else if ((await store.userCount()) === 0) {
    const password = newPassword();
    // DO NOTHING on a conflict: when two instances start on an empty database only the winner announces.
    if (await store.putUser('admin', password, 'admin')) opts.announce('admin', password);
  }
  if (opts.adminToken) await store.ensureToken('environment', opts.adminToken, 'admin');
}
