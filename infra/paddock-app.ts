import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { JobsStack } from './stacks/jobs-stack.js';

/**
 * Paddock's CDK app. Configure with context (`cdk deploy -c corsOrigins=https://crm.example.com,…`)
 * and the usual CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION. Synthesises offline.
 */
export function buildApp(app = new App()) {
  // Lock in today's cross-stack reference behaviour (the producer stack cannot drop an export in use).
  if (app.node.tryGetContext('@aws-cdk/core:defaultCrossStackReferences') === undefined) app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-central-1' };
  const corsOrigins = String(app.node.tryGetContext('corsOrigins') ?? 'https://crm.paddock.example,https://owners.paddock.example').split(',');
  const data = new DataStack(app, 'PaddockData', { env, description: 'Paddock: the table (stateful, retained)' });
  const api = new ApiStack(app, 'PaddockApi', { env, table: data.table, corsOrigins, description: 'Paddock: GraphQL API, user pool, alarms' });
  const jobs = new JobsStack(app, 'PaddockJobs', { env, table: data.table, timeZone: app.node.tryGetContext('timeZone') ?? 'Europe/Berlin', description: 'Paddock: scheduled jobs and events out' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, api, jobs };
}

