import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** A `fedgate serve` running as its own process, as a user would run it. */
export interface FedgateProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Answers once the process has exited. */
  readonly exited: Promise<number | null>;
}

/** Root credentials fixed through the environment, as scripts fix them. */
export function fixedRoot() {
  return {
    accountId: '1' + randomDigits(11),
    accessKeyId: 'AKIA' + randomBytes(8).toString('hex').toUpperCase(),
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/** Starts `fedgate serve` on a free port (or `port`) with `dataDir` and waits until /health answers. */
export async function spawnFedgate(
  dataDir: string,
  root: ReturnType<typeof fixedRoot>,
  port?: number,
): Promise<FedgateProcess> {
  return spawnFedgateServe(dataDir, root, port === undefined ? {} : { port });
}

/** How `spawnFedgateServe` runs the server, beyond its data directory and root. */
export interface ServeOptions {
  /** The port to listen on; a free one when absent (a restart passes the previous one). */
  readonly port?: number;
  /** Extra `FEDGATE_*` variables (delivery intervals, the external S3 endpoint, …). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts `fedgate serve` on `dataDir` as its own process, with extra environment variables,
 * and waits until /health answers.
 */
export async function spawnFedgateServe(
  dataDir: string,
  root: ReturnType<typeof fixedRoot>,
  options: ServeOptions = {},
): Promise<FedgateProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ENTRY, 'serve', '--port', String(port), '--data-dir', dataDir],
    {
      env: {
        ...process.env,
        FEDGATE_LOG_LEVEL: 'warn',
        // Tests page through history faster than AWS's 2 LookupEvents per second.
        FEDGATE_LOOKUP_EVENTS_RATE: '1000',
        FEDGATE_ACCOUNT_ID: root.accountId,
        FEDGATE_ROOT_ACCESS_KEY_ID: root.accessKeyId,
        FEDGATE_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey,
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, exited, () => stderr);
  return { url, child, exited };
}

async function waitForHealth(
  url: string,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (gone) throw new Error(`fedgate exited before it became healthy:\n${stderr()}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fedgate did not answer ${url}/health within 30 s:\n${stderr()}`);
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function randomDigits(count: number): string {
  return Array.from(randomBytes(count), (byte) => String(byte % 10)).join('');
}
