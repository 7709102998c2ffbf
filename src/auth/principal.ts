import type { DealerScope } from './api-key.js';

/** Who is calling, as established by authentication. Every decision starts from this. */
export type Principal =
  | { kind: 'admin'; subject: string }
  | { kind: 'analyst'; subject: string }
  | { kind: 'customer'; subject: string; customerId: string }
  | { kind: 'dealer'; dealerId: string; keyId: string; scopes: readonly DealerScope[] };

export type Role = 'ADMIN' | 'ANALYST' | 'CUSTOMER' | 'DEALER';

export function roleOf(principal: Pick<Principal, 'kind'>): Role {
  return principal.kind.toUpperCase() as Role;
}
