import { parseArgs } from 'node:util';
import { signLocalToken, type LocalRole } from './jwt-signer.js';
import { readLocalInfo, readSigningKey } from './local-files.js';

/**
 * `npm run token -- --role admin|analyst|customer [--customer <id>] [--ttl <seconds>]`:
 * mints a JWT the running local stack accepts (signed with its start-up key).
 */
const ROLES: LocalRole[] = ['admin', 'analyst', 'customer'];

function main() {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'admin' }, customer: { type: 'string' }, ttl: { type: 'string', default: String(12 * 3600) } } });
  const role = values.role as LocalRole;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error('--ttl must be a positive number of seconds');
  const customerId = role === 'customer' ? (values.customer ?? readLocalInfo().customerId) : undefined;
  process.stdout.write(`${signLocalToken(readSigningKey(), { role, customerId, ttlSeconds, subject: customerId ? `local-customer-${customerId}` : undefined })}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
