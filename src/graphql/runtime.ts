import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator.js';
import { createAuthenticator } from '../auth/authenticate.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import { createCore } from '../composition.js';
import type { AppConfig } from '../config.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { RequestContextDeps } from './request-context.js';

/**
 * The API process: the composition root's shared parts (with the fail-fast `api` client
 * profile) plus what only the API has, the authenticators with their key caches. Built
 * once per cold start; everything per-request is built in `contextFromHeaders`.
 */
export function createRuntime(config: AppConfig, overrides: { doc?: DynamoDBDocumentClient; clock?: Clock; logger?: Logger } = {}): RequestContextDeps & { development: boolean } {
  const { repos, facts, clock, logger } = createCore(config, { profile: 'api', service: 'paddock-graphql', ...overrides });
  const authenticator = createAuthenticator(
    createTokenVerifier(config.auth),
    new ApiKeyAuthenticator(repos.dealers, { ttlSeconds: config.apiKeyCacheTtlSeconds, clock }),
  );
  return { authenticator, repos, facts, clock, logger, development: config.stage === 'development' };
}
