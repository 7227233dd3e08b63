import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { configFromEnv, type ServerConfig } from '../../src/config.js';
import { startServer, type RunningServer, type ServerSeams } from '../../src/server.js';

/** Credentials of one principal, as tests hand them to clients. */
export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An in-process fedgate on a free loopback port with a fresh data directory. */
export interface TestServer extends RunningServer {
  readonly dataDir: string;
  readonly root: TestCredentials & { readonly accountId: string };
  stop(): Promise<void>;
}

/** Starts a fedgate for one test file; `stop()` removes its data directory. */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  seams: ServerSeams = {},
): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'fedgate-test-'));
  const config: ServerConfig = {
    ...configFromEnv({}),
    port: 0,
    dataDir,
    lookupEventsRate: 1000,
    ...overrides,
  };
  const server = await startServer(config, { logger: pino({ level: 'silent' }), ...seams });
  const root = server.bootstrapped;
  if (!root) throw new Error('expected a fresh data directory to bootstrap an account');

  return {
    ...server,
    dataDir,
    root,
    stop: async () => {
      await server.close();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
