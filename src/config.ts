import { ConfigurationError } from './shared/errors.js';
import type { LogLevel } from './shared/logger.js';

/**
 * Everything a Paddock process needs from its environment, read and validated once at
 * cold start, one reader per kind of process (the API, the jobs, the fanned-out jobs' coordinators).
 * A missing or malformed setting throws a {@link ConfigurationError} there — the function
 * fails to start and its error names the variable — instead of becoming `''`, `NaN` or a
 * run that does nothing and reports success.
 */
export type AuthConfig =
  /** In AWS: ID tokens of the brand's Cognito user pool. */
  | { kind: 'cognito'; userPoolId: string; clientId: string }
  /** Locally and in tests: tokens signed by a key generated at start-up. */
  | { kind: 'local'; issuer: string; audience: string; jwks: { keys: Record<string, unknown>[] } };

/** What every process has: where it runs and how much it logs. */
interface ProcessConfig {
  region: string;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
}

/** Where the table is: all a job needs (the reminders job, the scores worker). */
export interface JobConfig extends ProcessConfig {
  tableName: string;
  /** DynamoDB Local's URL; absent in AWS. */
  dynamodbEndpoint?: string;
}

/** The GraphQL API. */
export interface AppConfig extends JobConfig {
  /** `development` turns on introspection and unmasked errors; everything else is production. */
  stage: 'development' | 'production';
  auth: AuthConfig;
  /** How long a dealer API key's lookup is trusted before it is read again: the revocation bound. */
  apiKeyCacheTtlSeconds: number;
}

/** A fanned-out job's coordinator (the scores job, the offers job): it only queues segments, it never touches the table. */
export interface SegmentCoordinatorConfig extends ProcessConfig {
  queueUrl: string;
  /** Parallel-scan segments per run: one SQS message and one worker invocation each. */
  totalSegments: number;
}

/**
 * Bounds of a job's segments (`SCORES_SEGMENTS`, `OFFERS_SEGMENTS`, `--segments`). DynamoDB
 * accepts up to 1,000,000 scan segments, but every segment is a message the coordinator
 * sends within its one-minute timeout and a worker invocation; past 1,000 (100 batch
 * calls) a value is a typo, not a plan.
 */
export const SEGMENT_BOUNDS = { min: 1, max: 1_000 } as const;

/** The promised revocation bound of a dealer API key, in seconds. */
const API_KEY_CACHE_TTL_BOUNDS = { min: 0, max: 60 } as const;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

type Env = Record<string, string | undefined>;

function required(env: Env, key: string): string {
  const value = env[key]?.trim();
  if (!value) throw new ConfigurationError(`Missing required environment variable ${key}`);
  return value;
}

/**
 * A whole number within bounds, written in plain decimal digits. `Number()` alone would
 * take `''` as 0, `'0x10'` as 16 and `'sixteen'` as NaN — which slips through every
 * comparison — so anything but digits is refused.
 *
 * @example
 * integerSetting('--segments', '8', SEGMENT_BOUNDS); // 8
 */
export function integerSetting(name: string, raw: string | undefined, { min, max }: { min: number; max: number }): number {
  const text = raw?.trim() ?? '';
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigurationError(`${name} must be a whole number from ${min} to ${max}, not "${raw ?? ''}"`);
  }
  return value;
}

function readProcess(env: Env): ProcessConfig {
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) throw new ConfigurationError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  return { region: env.AWS_REGION?.trim() || 'eu-central-1', logLevel: logLevel as LogLevel };
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
      if (cause instanceof ConfigurationError) throw cause;
      throw new ConfigurationError('LOCAL_JWKS is not valid JSON', { cause });
    }
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
      throw new ConfigurationError('LOCAL_JWKS must be a JSON Web Key Set: { "keys": [...] }');
    }
    return { kind, issuer: required(env, 'LOCAL_JWT_ISSUER'), audience: required(env, 'LOCAL_JWT_AUDIENCE'), jwks: jwks as { keys: Record<string, unknown>[] } };
  }
  throw new ConfigurationError(`AUTH_MODE must be "cognito" or "local", not "${kind}"`);
}

/**
 * @example
 * const config = readJobConfig(process.env); // at module level in a job's handler
 */
export function readJobConfig(env: Env): JobConfig {
  return { ...readProcess(env), tableName: required(env, 'TABLE_NAME'), dynamodbEndpoint: env.DYNAMODB_ENDPOINT?.trim() || undefined };
}

/**
 * @example
 * const config = readConfig(process.env); // at module level in the API's handler
 */
export function readConfig(env: Env): AppConfig {
  const stage = env.PADDOCK_STAGE === 'development' ? 'development' : 'production';
  const ttlText = env.API_KEY_CACHE_TTL_SECONDS?.trim() || '30';
  const ttl = Number(ttlText);
  // Fractions of a second are allowed here (tests use them); NaN fails both comparisons.
  if (!/^\d+(\.\d+)?$/.test(ttlText) || !(ttl >= API_KEY_CACHE_TTL_BOUNDS.min && ttl <= API_KEY_CACHE_TTL_BOUNDS.max)) {
    throw new ConfigurationError(`API_KEY_CACHE_TTL_SECONDS must be between ${API_KEY_CACHE_TTL_BOUNDS.min} and ${API_KEY_CACHE_TTL_BOUNDS.max} (the promised revocation bound), not "${ttlText}"`);
  }
  return { ...readJobConfig(env), stage, auth: readAuth(env), apiKeyCacheTtlSeconds: ttl };
}

/**
 * A fanned-out job's coordinator settings: `<JOB>_QUEUE_URL` and `<JOB>_SEGMENTS`.
 *
 * @example
 * const config = readSegmentCoordinatorConfig(process.env, 'OFFERS'); // OFFERS_QUEUE_URL, OFFERS_SEGMENTS
 */
export function readSegmentCoordinatorConfig(env: Env, job: 'SCORES' | 'OFFERS'): SegmentCoordinatorConfig {
  const queueVariable = `${job}_QUEUE_URL`;
  const segmentsVariable = `${job}_SEGMENTS`;
  const queueUrl = required(env, queueVariable);
  let url: URL | undefined;
  try {
    url = new URL(queueUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new ConfigurationError(`${queueVariable} must be an SQS queue URL, not "${queueUrl}"`);
  return { ...readProcess(env), queueUrl, totalSegments: integerSetting(segmentsVariable, required(env, segmentsVariable), SEGMENT_BOUNDS) };
}

/**
 * @example
 * const config = readScoresCoordinatorConfig(process.env); // SCORES_QUEUE_URL, SCORES_SEGMENTS
 */
export const readScoresCoordinatorConfig = (env: Env): SegmentCoordinatorConfig => readSegmentCoordinatorConfig(env, 'SCORES');

/**
 * @example
 * const config = readOffersCoordinatorConfig(process.env); // OFFERS_QUEUE_URL, OFFERS_SEGMENTS
 */
export const readOffersCoordinatorConfig = (env: Env): SegmentCoordinatorConfig => readSegmentCoordinatorConfig(env, 'OFFERS');
