import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/local/dynamodb-local.js';

/**
 * One DynamoDB Local for the whole run (it takes seconds to start); every test file makes
 * its own table in it, so files stay independent. Stopped by PID when the run ends.
 */
let engine: DynamoDbLocal | undefined;

export async function setup(project: TestProject) {
  engine = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', engine.endpoint);
}

export async function teardown() {
  await engine?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
