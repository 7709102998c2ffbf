import { ApiKeyAuthenticator } from '../auth/api-key-authenticator.js';
import { createAuthenticator } from '../auth/authenticate.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import type { AppConfig } from '../config.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { createDocumentClient } from '../store/dynamo-client.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRepositories } from './repositories.js';
import type { RequestContextDeps } from './request-context.js';

/**
 * Wires the long-lived parts of the API process from configuration: one DynamoDB
 * client, the repositories, the authenticators (with their key caches). Built once per
 * cold start; everything per-request is built in `contextFromHeaders`.
 */
export function createRuntime(config: AppConfig, overrides: { doc?: DynamoDBDocumentClient; clock?: Clock; logger?: Logger } = {}): RequestContextDeps & { development: boolean } {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger({ service: 'paddock-graphql' });
  const doc = overrides.doc ?? createDocumentClient({ endpoint: config.dynamodbEndpoint, region: config.region, profile: 'api' });
  const repos = createRepositories({ doc, tableName: config.tableName });
  const authenticator = createAuthenticator(
    createTokenVerifier(config.auth),
    new ApiKeyAuthenticator(repos.dealers, { ttlSeconds: config.apiKeyCacheTtlSeconds, clock }),
  );
  return { authenticator, repos, clock, logger, development: config.stage === 'development' };
}
