import { describe, expect, it } from 'vitest';
import { integerSetting, readConfig, readJobConfig, readScoresCoordinatorConfig, SEGMENT_BOUNDS } from '../../src/config.js';
import { ConfigurationError } from '../../src/shared/errors.js';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/paddock-scores';
const coordinatorEnv = (overrides: Record<string, string | undefined> = {}) => ({ SCORES_QUEUE_URL: QUEUE_URL, SCORES_SEGMENTS: '16', AWS_REGION: 'eu-west-1', ...overrides });

describe('Function: readScoresCoordinatorConfig', () => {
  it('reads the queue, the segment count and the region', () => {
    // Act
    const config = readScoresCoordinatorConfig(coordinatorEnv());
    // Assess
    expect(config).toEqual({ queueUrl: QUEUE_URL, totalSegments: 16, region: 'eu-west-1', logLevel: 'info' });
  });

  it.each([
    ['sixteen', 'not a number (it became NaN and queued nothing)'],
    ['', 'empty'],
    ['0', 'zero segments'],
    ['-4', 'negative'],
    ['2.5', 'a fraction'],
    ['0x10', 'hexadecimal'],
    ['1e3', 'an exponent'],
    [String(SEGMENT_BOUNDS.max + 1), 'above the bound'],
  ])('fails the cold start on SCORES_SEGMENTS=%j (%s), naming the variable', (value) => {
    // Act
    const read = () => readScoresCoordinatorConfig(coordinatorEnv({ SCORES_SEGMENTS: value }));
    // Assess
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(/SCORES_SEGMENTS/);
  });

  it('accepts the bounds themselves and surrounding spaces', () => {
    expect(readScoresCoordinatorConfig(coordinatorEnv({ SCORES_SEGMENTS: '1' })).totalSegments).toBe(1);
    expect(readScoresCoordinatorConfig(coordinatorEnv({ SCORES_SEGMENTS: ` ${SEGMENT_BOUNDS.max} ` })).totalSegments).toBe(SEGMENT_BOUNDS.max);
  });

  it.each([
    [{ SCORES_SEGMENTS: undefined }, /Missing required environment variable SCORES_SEGMENTS/],
    [{ SCORES_QUEUE_URL: undefined }, /Missing required environment variable SCORES_QUEUE_URL/],
    [{ SCORES_QUEUE_URL: '  ' }, /Missing required environment variable SCORES_QUEUE_URL/],
    [{ SCORES_QUEUE_URL: 'paddock-scores' }, /SCORES_QUEUE_URL must be an SQS queue URL/],
    [{ SCORES_QUEUE_URL: 'arn:aws:sqs:eu-central-1:123456789012:paddock-scores' }, /SCORES_QUEUE_URL must be an SQS queue URL/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of debug, info, warn, error/],
  ])('fails the cold start on %j', (overrides, message) => {
    expect(() => readScoresCoordinatorConfig(coordinatorEnv(overrides))).toThrow(message);
  });
});

describe('Function: readJobConfig', () => {
  it('needs only the table; the region defaults to the brand’s and the endpoint is absent in AWS', () => {
    expect(readJobConfig({ TABLE_NAME: 'paddock' })).toEqual({ tableName: 'paddock', region: 'eu-central-1', logLevel: 'info', dynamodbEndpoint: undefined });
    expect(readJobConfig({ TABLE_NAME: 'paddock', DYNAMODB_ENDPOINT: 'http://localhost:8000', LOG_LEVEL: 'warn' })).toMatchObject({ dynamodbEndpoint: 'http://localhost:8000', logLevel: 'warn' });
  });

  it('fails without a table name', () => {
    expect(() => readJobConfig({ TABLE_NAME: ' ' })).toThrow(new ConfigurationError('Missing required environment variable TABLE_NAME'));
  });
});

describe('Function: readConfig (the API)', () => {
  const apiEnv = { TABLE_NAME: 'paddock', AUTH_MODE: 'cognito', COGNITO_USER_POOL_ID: 'eu-central-1_abc', COGNITO_CLIENT_ID: 'client' };

  it('defaults to production and a 30 s key cache', () => {
    expect(readConfig(apiEnv)).toMatchObject({ stage: 'production', apiKeyCacheTtlSeconds: 30, auth: { kind: 'cognito', userPoolId: 'eu-central-1_abc', clientId: 'client' } });
  });

  it.each(['61', '-1', 'thirty', '1e1'])('refuses API_KEY_CACHE_TTL_SECONDS=%j (the revocation bound is 0–60 s)', (value) => {
    expect(() => readConfig({ ...apiEnv, API_KEY_CACHE_TTL_SECONDS: value })).toThrow(/API_KEY_CACHE_TTL_SECONDS must be between 0 and 60/);
  });

  it('names a missing local JWKS as missing, not as malformed JSON', () => {
    expect(() => readConfig({ TABLE_NAME: 'paddock', AUTH_MODE: 'local', LOCAL_JWT_ISSUER: 'i', LOCAL_JWT_AUDIENCE: 'a' })).toThrow('Missing required environment variable LOCAL_JWKS');
  });

  it('refuses an unknown AUTH_MODE', () => {
    expect(() => readConfig({ ...apiEnv, AUTH_MODE: 'none' })).toThrow(ConfigurationError);
  });
});

describe('Function: integerSetting', () => {
  it('names the setting it refuses, so a CLI flag reads as a flag', () => {
    expect(() => integerSetting('--segments', 'eight', SEGMENT_BOUNDS)).toThrow('--segments must be a whole number from 1 to 1000, not "eight"');
    expect(integerSetting('--segments', '8', SEGMENT_BOUNDS)).toBe(8);
  });
});
