import { createDocumentClient } from '../../src/store/dynamo-client.js';

/**
 * Fault injection: a document client on the run's DynamoDB Local that throws on its n-th
 * transaction, like a Lambda killed mid-run. Everything before it really happened.
 */
export function crashingClient(endpoint: string, onTransaction: number) {
  const client = createDocumentClient({ endpoint, region: 'eu-central-1' });
  let transactions = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && ++transactions === onTransaction) throw new Error('injected crash');
      return next(args);
    },
    { step: 'initialize', name: 'crashInjector' },
  );
  return client;
}
