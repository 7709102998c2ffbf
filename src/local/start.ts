import './quiet-sdk.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../composition.js';
import { integerSetting, readConfig } from '../config.js';
import type { DealerRepository } from '../dealer/dealer-repository.js';
import { DEALER_SCOPES, displayPrefix, generateApiKey, hashApiKey } from '../auth/api-key.js';
import { createRuntime } from '../graphql/runtime.js';
import { newId } from '../shared/ids.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from './jwt-signer.js';
import { PADDOCK_DIR, LOCAL_JSON, writeLocalInfo, type LocalStackInfo } from './local-files.js';
import { startLocalServer } from './local-server.js';
import { ensureTable } from './table-admin.js';
import { hasDealers, seedDemoBrand } from './seed.js';
import { demoCustomerOf } from './seed-club.js';

/**
 * `npm start`: DynamoDB Local + the table + the demo brand + the GraphQL server, with
 * credentials printed and written to `.paddock/local.json`. Ctrl-C stops everything.
 */
const TABLE_NAME = 'paddock-local';

async function issueDemoKeys(repo: DealerRepository, dealers: { id: string; name: string }[], now: Date) {
  const issued: LocalStackInfo['dealers'] = [];
  for (const dealer of dealers) {
    const apiKey = generateApiKey();
    await repo.issueApiKey({ id: newId(), dealerId: dealer.id, name: 'local demo', prefix: displayPrefix(apiKey), keyHash: hashApiKey(apiKey), scopes: [...DEALER_SCOPES], createdAt: now.toISOString() });
    issued.push({ id: dealer.id, name: dealer.name, apiKey });
  }
  return issued;
}

async function main() {
  const { values } = parseArgs({ options: { persist: { type: 'boolean', default: false }, port: { type: 'string', default: '4000' } } });
  const log = (line = '') => process.stdout.write(`${line}\n`);
  mkdirSync(PADDOCK_DIR, { recursive: true });

  log('Starting DynamoDB Local…');
  const dataDir = join(PADDOCK_DIR, 'data');
  if (values.persist) mkdirSync(dataDir, { recursive: true });
  const engine = await startDynamoDbLocal(values.persist ? { dbPath: dataDir } : {});
  let stopServer: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping the GraphQL server and DynamoDB Local (pid ${engine.pid})…`);
    await stopServer?.().catch(() => undefined);
    await engine.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const signingKey = generateSigningKey();
    const config = readConfig({ PADDOCK_STAGE: 'development', TABLE_NAME, DYNAMODB_ENDPOINT: engine.endpoint, LOG_LEVEL: 'warn', ...localAuthEnv(signingKey) });
    // Seeding is a batch job: the patient `job` client. The server below builds its own.
    const { store, repos, clock } = createCore(config, { profile: 'job', service: 'paddock-local' });
    await ensureTable(store.doc as never, TABLE_NAME);
    const now = clock();
    if (!(await hasDealers(store))) {
      log('Seeding the demo brand…');
      const seeded = await seedDemoBrand(store, { now });
      log(`  ${seeded.dealers.length} dealers, ${seeded.customers.length} customers, ${seeded.vehicles.length} vehicles (${seeded.items} items)`);
      const { club } = seeded;
      log(`  club: ${club.members} members (${Object.entries(club.byLevel).map(([level, n]) => `${n} ${level}`).join(', ')}), ${club.rewards} rewards, ${club.vouchers} vouchers, ${club.events.past} past and ${club.events.upcoming} upcoming events`);
      const { offers } = seeded;
      log(`  offers: ${offers.offers} in the catalogue, ${offers.decided} past decisions (${offers.holdout} in the holdout), ${offers.facts} conversions recorded as facts; tonight's next best offers decided`);
      const { fleetRates } = seeded;
      log(`  fleet rates: ${fleetRates.cohorts} cohorts learned from ${fleetRates.rateCars} cars with their own history (version ${fleetRates.version ?? '–'})`);
    } else {
      log('Table already holds a brand (--persist): not seeding again.');
    }
    const dealers = (await repos.dealers.list(100)).items;
    // The seed made this customer a club member with points, lots and a service voucher.
    const demoCustomer = demoCustomerOf((await repos.customers.list(100, null, {})).items);

    // No client handed in: the API builds its own fail-fast client, exactly as in Lambda.
    const runtime = createRuntime(config);
    const server = await startLocalServer(runtime, { port: integerSetting('--port', values.port, { min: 0, max: 65_535 }) });
    stopServer = server.stop;

    const info: LocalStackInfo = {
      graphqlUrl: server.url,
      dynamodbEndpoint: engine.endpoint,
      tableName: TABLE_NAME,
      tokens: {
        admin: signLocalToken(signingKey, { role: 'admin' }),
        analyst: signLocalToken(signingKey, { role: 'analyst' }),
        customer: signLocalToken(signingKey, { role: 'customer', customerId: demoCustomer.id, subject: `local-customer-${demoCustomer.id}` }),
      },
      customerId: demoCustomer.id,
      dealers: await issueDemoKeys(repos.dealers, dealers, now),
    };
    writeLocalInfo(info, signingKey);

    log('');
    log(`Paddock is running: ${info.graphqlUrl}`);
    log(`DynamoDB Local:      ${info.dynamodbEndpoint} (table ${TABLE_NAME}, ${values.persist ? `persisted in ${dataDir}` : 'in memory'})`);
    log('');
    log(`Admin JWT:    ${info.tokens.admin}`);
    log(`Analyst JWT:  ${info.tokens.analyst}`);
    log(`Customer JWT: ${info.tokens.customer}`);
    log(`              (customer ${demoCustomer.firstName} ${demoCustomer.lastName}, id ${demoCustomer.id})`);
    log('');
    log('Dealer API keys (all scopes; shown once, stored hashed):');
    for (const d of info.dealers) log(`  ${d.name.padEnd(28)} ${d.apiKey}`);
    log('');
    log('Try it:');
    log(`  curl -s ${info.graphqlUrl} -H 'content-type: application/json' -H 'x-api-key: ${info.dealers[0]!.apiKey}' \\`);
    log(`    -d '{"query":"{ me { role dealer { name } } customers(first: 3) { edges { node { firstName lastName vehicles { edges { node { vin variant odometer { km } } } } } } } }"}'`);
    log(`  # the demo customer's club: level, points, lots expiring, vouchers (the club's KPIs: { clubKpis { … } } as admin)`);
    log(`  curl -s ${info.graphqlUrl} -H 'content-type: application/json' -H "authorization: Bearer $(node -p "require('./${LOCAL_JSON}').tokens.customer")" \\`);
    log(`    -d '{"query":"{ me { customer { club { number level balance { available pending } expiringSoon(days: 60) { expiresOn points } vouchers(first: 3) { edges { node { code kind status expiresAt } } } } } } }"}'`);
    log('');
    log(`The same facts, machine-readable: ${LOCAL_JSON}. Press Ctrl-C to stop.`);
  } catch (error) {
    await stopServer?.().catch(() => undefined);
    await engine.stop();
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
