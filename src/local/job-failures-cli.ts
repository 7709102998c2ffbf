import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { ConfigurationError } from '../shared/errors.js';
import { JobFailureLog } from '../store/job-failures.js';
import { readLocalInfo } from './local-files.js';

/**
 * `npm run job:failures -- --job scores|reminders|club|event-holds|offers --run <runId> [--table <name> --region <region>]`:
 * the records a job run skipped (key, error name, message), one JSON line each. Without
 * `--table` it reads the local stack (`npm start`); with it, that table in AWS (the
 * operator's own credentials). The run id is in the job's log lines and its summary.
 */
async function main() {
  const { values } = parseArgs({ options: { job: { type: 'string' }, run: { type: 'string' }, table: { type: 'string' }, region: { type: 'string', default: 'eu-central-1' } } });
  if (!values.job || !values.run) throw new ConfigurationError('Usage: npm run job:failures -- --job scores|reminders|club|event-holds|offers --run <runId> [--table <name> --region <region>]');
  const local = values.table ? null : readLocalInfo();
  const config = readJobConfig({ TABLE_NAME: values.table ?? local?.tableName, DYNAMODB_ENDPOINT: local?.dynamodbEndpoint, AWS_REGION: values.region });
  const { store } = createCore(config, { profile: 'job', service: 'paddock-job-failures' });
  const failures = await new JobFailureLog(store).list(values.job, values.run);
  for (const failure of failures) process.stdout.write(`${JSON.stringify(failure)}\n`);
  process.stderr.write(`${failures.length} record(s) skipped by ${values.job} run ${values.run}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
