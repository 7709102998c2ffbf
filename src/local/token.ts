import { parseArgs } from 'node:util';
import { integerSetting } from '../config.js';
import { ConfigurationError } from '../shared/errors.js';
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
  if (!ROLES.includes(role)) throw new ConfigurationError(`--role must be one of ${ROLES.join(', ')}`);
  // Up to a week: a local token, not a credential to keep.
  const ttlSeconds = integerSetting('--ttl', values.ttl, { min: 1, max: 7 * 24 * 3600 });
  const customerId = role === 'customer' ? (values.customer ?? readLocalInfo().customerId) : undefined;
  process.stdout.write(`${signLocalToken(readSigningKey(), { role, customerId, ttlSeconds, subject: customerId ? `local-customer-${customerId}` : undefined })}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
