import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../shared/errors.js';
import type { LocalSigningKey } from './jwt-signer.js';

/** Where the running local stack describes itself for other local commands. */
export const PADDOCK_DIR = '.paddock';
export const LOCAL_JSON = join(PADDOCK_DIR, 'local.json');
const SIGNING_KEY_JSON = join(PADDOCK_DIR, 'jwt-signing-key.json');

export interface LocalStackInfo {
  graphqlUrl: string;
  dynamodbEndpoint: string;
  tableName: string;
  tokens: { admin: string; analyst: string; customer: string };
  customerId: string;
  dealers: { id: string; name: string; apiKey: string }[];
}

export function writeLocalInfo(info: LocalStackInfo, key: LocalSigningKey): void {
  mkdirSync(PADDOCK_DIR, { recursive: true });
  writeFileSync(LOCAL_JSON, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(SIGNING_KEY_JSON, JSON.stringify(key), { mode: 0o600 });
}

export function readLocalInfo(): LocalStackInfo {
  try {
    return JSON.parse(readFileSync(LOCAL_JSON, 'utf8')) as LocalStackInfo;
  } catch {
    throw new ConfigurationError(`${LOCAL_JSON} not found: start the local stack first with \`npm start\` (in another terminal).`);
  }
}

/**
 * Points a job's handler at the running local stack: the handlers read their table and
 * engine from the environment as in AWS, so a local run is the deployed code path.
 */
export function useLocalStackForJobs(): LocalStackInfo {
  const local = readLocalInfo();
  process.env.TABLE_NAME = local.tableName;
  process.env.DYNAMODB_ENDPOINT = local.dynamodbEndpoint;
  process.env.LOG_LEVEL ??= 'warn';
  return local;
}

export function readSigningKey(): LocalSigningKey {
  try {
    return JSON.parse(readFileSync(SIGNING_KEY_JSON, 'utf8')) as LocalSigningKey;
  } catch {
    throw new ConfigurationError(`${SIGNING_KEY_JSON} not found: start the local stack first with \`npm start\`.`);
  }
}
