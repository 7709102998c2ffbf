/**
 * `npm run bench -- --only interactions`: what `recordInteractions` costs per event at batch
 * sizes 1, 10 and 100 — DynamoDB requests (a counting middleware on the real client) and
 * write units computed from the sizes of the items written (see `writeUnits`: DynamoDB
 * Local's own figure for transactions is not per item). Called through the service, as the
 * GraphQL mutation does, with the composition's fact hooks, against a population with
 * realistic profiles: the profile's size is what an update of it costs, in the table and
 * in each index that projects it.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Access } from '../../src/auth/access.js';
import { createLoaders } from '../../src/auth/loaders.js';
import { domainFactHooks } from '../../src/__generated__/fact-hooks.js';
import { createFactHooks, createRepositories } from '../../src/composition.js';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { ensureTable } from '../../src/local/table-admin.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import { INDEXES } from '../../src/store/table.js';
import { customerEntity } from '../../src/customer/customer.js';
import { recordInteractions, type InteractionInput } from '../../src/value/value-service.js';
import { makePopulation, writePopulation } from '../support/population.js';
import { countRequests } from '../support/request-counter.js';

type Print = (line?: string) => void;
type Doc = ReturnType<typeof createDocumentClient>;

type AttributeValue = { S?: string; N?: string; B?: string; BOOL?: boolean; NULL?: boolean; M?: Record<string, AttributeValue>; L?: AttributeValue[]; SS?: string[]; NS?: string[] };
type WireItem = Record<string, AttributeValue>;

/** An attribute value's size as DynamoDB counts it (UTF-8 strings, numbers by digits, 3 bytes a map or list plus 1 an element). */
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[^0-9]/g, '').length / 2) + 1;
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + Buffer.byteLength(k) + valueSize(x) + 1, 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + valueSize(x) + 1, 0);
  if (v.SS) return v.SS.reduce((n, x) => n + Buffer.byteLength(x), 0);
  if (v.NS) return v.NS.reduce((n, x) => n + Math.ceil(x.length / 2) + 1, 0);
  return 1;
}
const itemSize = (item: WireItem) => Object.entries(item).reduce((n, [name, v]) => n + Buffer.byteLength(name) + valueSize(v), 0);
const kib = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** The indexes an item is in (it carries their key attributes); every attribute is projected, so each entry is the item's size. */
const indexesOf = (item: WireItem) => Object.values(INDEXES).filter((i) => item[i.partitionKey] && item[i.sortKey]).length;

/**
 * Write units of every successful transaction, computed from item sizes as DynamoDB bills
 * them: 2 units per KiB (rounded up per item) for each transactional write in the table, 1
 * per KiB for each index entry it rewrites (index upkeep is a standard write). An Update is
 * sized by the item after it (read back through a client of its own; counters only grow, so
 * that is the larger of before and after). DynamoDB Local's own `ConsumedCapacity` cannot
 * be used: for a transaction it does not add its items up (ten 100-byte Puts report 2 units).
 */
export function writeUnits(doc: Doc, reader: DynamoDBClient, tableName: string) {
  let units = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const raw = (args.request as { body?: string | Uint8Array }).body;
      const body = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw)) as { TransactItems: { Put?: { Item: WireItem }; Update?: { Key: WireItem } }[] };
      const result = await next(args);
      for (const op of body.TransactItems) {
        const item = op.Put?.Item ?? (op.Update ? (await reader.send(new GetItemCommand({ TableName: tableName, Key: op.Update.Key as never }))).Item as WireItem | undefined : undefined);
        if (item) units += 2 * kib(itemSize(item)) + indexesOf(item) * kib(itemSize(item));
      }
      return result;
    },
    { step: 'build', name: 'benchWriteUnits' },
  );
  return { reset: () => (units = 0), get: () => units };
}

interface Shape {
  label: string;
  batch: number;
  customers: number;
  batches: number;
}

const SHAPES: Shape[] = [
  { label: '1 event', batch: 1, customers: 1, batches: 40 },
  { label: '10 events, 1 customer', batch: 10, customers: 1, batches: 10 },
  { label: '10 events, 10 customers', batch: 10, customers: 10, batches: 10 },
  { label: '100 events, 10 customers', batch: 100, customers: 10, batches: 4 },
  { label: '100 events, 100 customers', batch: 100, customers: 100, batches: 4 },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function interactionsBench(print: Print) {
  print('9. Interactions (recordInteractions): requests and write units per event');
  const engine = await startDynamoDbLocal();
  try {
    const doc = createDocumentClient({ endpoint: engine.endpoint, region: 'eu-central-1' });
    const tableName = 'paddock-bench-interactions';
    await ensureTable(doc as never, tableName);
    const store = { doc, tableName };
    const repos = createRepositories(store);
    print("   write units computed from item sizes (2/KiB a transactional write, 1/KiB an index entry); DynamoDB Local does not add up a transaction's items");
    const counter = countRequests(doc);
    const reader = new DynamoDBClient({ endpoint: engine.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const units = writeUnits(doc, reader, tableName);
    const principal = { kind: 'admin', subject: 'bench-admin' } as const;
    const facts = createFactHooks(store, domainFactHooks);
    const logger = createLogger({}, { level: 'error', write: () => true });
    const context = (): ServiceContext => {
      const loaders = createLoaders(repos);
      return { principal, access: new Access(principal, loaders), loaders, repos, facts, clock: () => new Date(), logger };
    };
    // The population's ids are not ULIDs, which the API's global ids carry: each gets a real one.
    const population = makePopulation(400, [newId(), newId(), newId()]).map((c) => ({ ...c, id: newId() }));
    const visit = population.find((c) => c.aggregates.visits.length)!.aggregates.visits[0]!;
    for (const profiles of [
      { label: "the scores bench's population", customers: population.slice(0, 200) },
      // The demo brand's profiles measured ≈ 4.8 KB (issue 12): padded with past visits to that size.
      { label: "profiles padded to the demo brand's ≈ 4.8 KB", customers: population.slice(200).map((c) => ({ ...c, aggregates: { ...c.aggregates, visits: Array.from({ length: 36 }, () => visit) } })) },
    ]) {
      const { customers } = profiles;
      await writePopulation(store, customers);
      const profileBytes = median(customers.map((c) => Buffer.byteLength(JSON.stringify(customerEntity.toItem(c)))));
      const indexed = Object.values(INDEXES).filter((i) => customerEntity.toItem(customers[0]!)[i.partitionKey]).map((i) => i.indexName);
      print(`   ${profiles.label}: ${customers.length} customers, median profile ${(profileBytes / 1024).toFixed(1)} KiB (JSON), in ${indexed.length} index${indexed.length === 1 ? '' : 'es'} (${indexed.join(', ')}) projecting every attribute`);
      let next = 0;
      const channels = ['WEB', 'APP', 'DEALER', 'EMAIL'];
      const topics = ['electric', 'racing', 'family', 'lease', 'track', 'design'];
      for (const shape of SHAPES) {
        counter.reset();
        units.reset();
        const times: number[] = [];
        let accepted = 0;
        for (let b = 0; b < shape.batches; b++) {
          const group = Array.from({ length: shape.customers }, () => customers[next++ % customers.length]!);
          const events: InteractionInput[] = Array.from({ length: shape.batch }, (_, i) => ({
            customerId: toGlobalId('Customer', group[i % group.length]!.id),
            sourceSystem: 'bench',
            sourceEventId: newId(),
            channel: channels[i % channels.length]!,
            type: 'PAGE_VIEW',
            modelLine: 'TAYCAN',
            topic: topics[i % topics.length]!,
            occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
          }));
          const started = performance.now();
          const result = await recordInteractions(context(), { events });
          times.push(performance.now() - started);
          accepted += result.accepted;
        }
        const events = shape.batch * shape.batches;
        const t = counter.tally();
        const wru = units.get();
        const ops = Object.entries(t.byOperation).map(([op, n]) => `${op} ${(n / shape.batches).toFixed(n % shape.batches ? 1 : 0)}`).join(', ');
        print(
          `   ${shape.label.padEnd(26)} ${(t.requests / events).toFixed(2)} requests/event (${ops} per batch), ${(wru / events).toFixed(1)} WRU/event, ${median(times).toFixed(0)} ms/batch; ${accepted}/${events} accepted`,
        );
      }
    }
  } finally {
    await engine.stop();
  }
}
