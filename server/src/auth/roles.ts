// Roles (issue 8 §1): a viewer watches; an operator also acts on cases, devices and maintenance windows;
// an admin also manages users, tokens and inventory. Each role includes the ones before it.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs: a role, or nothing at all (health checks, the triage dry run, the login form). */
export type Access = Role | 'public';

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

export function allows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who is making a request: a person with a session, or an integration with an API token. */
export interface Principal {
  kind: 'user' | 'token';
  /** Username, or `token:<name>` — what the audit log and case history record. */
  name: string;
  role: Role;
}
