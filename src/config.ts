import { ConfigurationError } from './shared/errors.js';

/**
 * Everything a Paddock process needs from its environment, read and validated once at
 * cold start. Missing required settings fail loudly instead of becoming `''`.
 */
export type AuthConfig =
  /** In AWS: ID tokens of the brand's Cognito user pool. */
  | { kind: 'cognito'; userPoolId: string; clientId: string }
  /** Locally and in tests: tokens signed by a key generated at start-up. */
  | { kind: 'local'; issuer: string; audience: string; jwks: { keys: Record<string, unknown>[] } };

export interface AppConfig {
  /** `development` turns on introspection and unmasked errors; everything else is production. */
  stage: 'development' | 'production';
  tableName: string;
  region: string;
  /** DynamoDB Local's URL; absent in AWS. */
  dynamodbEndpoint?: string;
  auth: AuthConfig;
  /** How long a dealer API key's lookup is trusted before it is read again: the revocation bound. */
  apiKeyCacheTtlSeconds: number;
}

type Env = Record<string, string | undefined>;

function required(env: Env, key: string): string {
  const value = env[key]?.trim();
  if (!value) throw new ConfigurationError(`Missing required environment variable ${key}`);
  return value;
}

function readAuth(env: Env): AuthConfig {
  const kind = required(env, 'AUTH_MODE');
  if (kind === 'cognito') {
    return { kind, userPoolId: required(env, 'COGNITO_USER_POOL_ID'), clientId: required(env, 'COGNITO_CLIENT_ID') };
  }
  if (kind === 'local') {
    let jwks: unknown;
    try {
      jwks = JSON.parse(required(env, 'LOCAL_JWKS'));
    } catch (cause) {
      throw new ConfigurationError('LOCAL_JWKS is not valid JSON', { cause });
    }
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
      throw new ConfigurationError('LOCAL_JWKS must be a JSON Web Key Set: { "keys": [...] }');
    }
    return { kind, issuer: required(env, 'LOCAL_JWT_ISSUER'), audience: required(env, 'LOCAL_JWT_AUDIENCE'), jwks: jwks as { keys: Record<string, unknown>[] } };
  }
  throw new ConfigurationError(`AUTH_MODE must be "cognito" or "local", not "${kind}"`);
}

/** Where the table is: all a job needs. */
export type StoreConfig = Pick<AppConfig, 'tableName' | 'region' | 'dynamodbEndpoint'>;

export function readStoreConfig(env: Env): StoreConfig {
  return {
    tableName: required(env, 'TABLE_NAME'),
    region: env.AWS_REGION ?? 'eu-central-1',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT?.trim() || undefined,
  };
}

/**
 * @example
 * const config = readConfig(process.env); // at module level in a handler
 */
export function readConfig(env: Env): AppConfig {
  const stage = env.PADDOCK_STAGE === 'development' ? 'development' : 'production';
  const ttl = Number(env.API_KEY_CACHE_TTL_SECONDS ?? '30');
  if (!Number.isFinite(ttl) || ttl < 0 || ttl > 60) {
    throw new ConfigurationError('API_KEY_CACHE_TTL_SECONDS must be between 0 and 60 (the promised revocation bound)');
  }
  return { stage, ...readStoreConfig(env), auth: readAuth(env), apiKeyCacheTtlSeconds: ttl };
}
