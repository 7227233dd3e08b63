import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, stopChild, type Child, type ChildEnd } from './children.js';
import { freePort } from './free-port.js';
import { waitForHttp } from './http-client.js';
import type { Credentials, Target } from './sign.js';

/** A server under test, running in its own process. */
export interface Peer {
  readonly name: 'fedgate' | 'moto' | 'bare';
  readonly target: Target;
  /**
   * The peer answers every request with `Connection: close` (moto's werkzeug
   * server), so it needs a load generator that honours that.
   */
  readonly closesConnections: boolean;
  /** Throws, with what the process wrote to stderr, if it is no longer running. */
  checkAlive(): void;
  stop(): Promise<void>;
}

/** How to start fedgate. */
export interface FedgateSetup {
  readonly root: string;
  readonly dataDir: string;
  readonly accountId: string;
  readonly credentials: Credentials;
  /** When set, fedgate writes a V8 CPU profile into this directory when it stops. */
  readonly cpuProfileDir?: string;
  /** fedgate's image cache (`--images-dir`); its default is `<data-dir>/images`. */
  readonly imagesDir?: string;
  /** More `fedgate serve` flags, e.g. the trail delivery and digest intervals. */
  readonly extraArgs?: readonly string[];
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;

/** Starts the built fedgate (`bin/fedgate.js serve`) on a free port with fixed root keys. */
export async function startFedgate(setup: FedgateSetup): Promise<Peer> {
  const bin = join(setup.root, 'bin', 'fedgate.js');
  if (!existsSync(join(setup.root, 'dist', 'cli', 'main.js'))) {
    throw new Error('fedgate is not built: dist/cli/main.js is missing (run npm run build)');
  }
  const port = await freePort();
  const profile = setup.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${setup.cpuProfileDir}`]
    : [];
  const args = [...profile, bin, 'serve', '--port', String(port), '--data-dir', setup.dataDir];
  args.push('--log-level', 'silent', '--lookup-events-rate', '100000');
  if (setup.imagesDir) args.push('--images-dir', setup.imagesDir);
  if (setup.extraArgs) args.push(...setup.extraArgs);
  const env = {
    ...process.env,
    FEDGATE_ACCOUNT_ID: setup.accountId,
    FEDGATE_ROOT_ACCESS_KEY_ID: setup.credentials.accessKeyId,
    FEDGATE_ROOT_SECRET_ACCESS_KEY: setup.credentials.secretAccessKey,
  };
  const child = startChild(process.execPath, args, { cwd: setup.root, env });
  return awaitPeer('fedgate', child, { hostname: HOST, port }, '/health');
}

/** Starts `moto_server` on a free port. */
export async function startMoto(): Promise<Peer> {
  const port = await freePort();
  const child = startChild('moto_server', ['-H', HOST, '-p', String(port)], {});
  return awaitPeer('moto', child, { hostname: HOST, port }, '/moto-api/');
}

/** An HTTPS listener for the bare server: its port and the PEM files it serves. */
export interface BareTls {
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Starts the bare Node.js server (`bench/bare-server.ts`) on a free port; with `tls`, it also
 * answers HTTPS on `tls.port` under fedgate's TLS policy.
 */
export async function startBare(benchDir: string, tls?: BareTls): Promise<Peer> {
  const port = await freePort();
  const script = join(benchDir, 'bare-server.ts');
  const args = ['--import', 'tsx', script, String(port)];
  if (tls) args.push(String(tls.port), tls.certFile, tls.keyFile);
  const child = startChild(process.execPath, args, { cwd: join(benchDir, '..') });
  return awaitPeer('bare', child, { hostname: HOST, port }, '/');
}

async function awaitPeer(
  name: Peer['name'],
  child: Child,
  target: Target,
  readyPath: string,
): Promise<Peer> {
  const exited = child.exited.then((end) => {
    throw new Error(startError(name, end, child.stderr()));
  });
  try {
    await Promise.race([waitForHttp(target, readyPath, START_TIMEOUT_MS), exited]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  void exited.catch(() => undefined);
  return {
    name,
    target,
    closesConnections: name === 'moto',
    checkAlive: () => {
      const { exitCode, signalCode } = child.process;
      if (exitCode === null && signalCode === null) return;
      const how = exitCode === null ? `signal ${signalCode}` : `code ${exitCode}`;
      throw new Error(`${name} died (${how}) during the run:\n${child.stderr()}`);
    },
    stop: () => stopChild(child),
  };
}

function startError(name: Peer['name'], end: ChildEnd, stderr: string): string {
  if (name === 'moto' && end.error?.code === 'ENOENT') {
    return "moto_server not found on PATH: pip install 'moto[server]'";
  }
  if (end.error) return `could not start ${name}: ${end.error.message}`;
  return `${name} exited with code ${end.code} before it was ready:\n${stderr}`;
}

/** moto's version, read with the Python interpreter that runs `moto_server`; 'unknown' if not. */
export function motoVersion(): string {
  try {
    const python = motoPython();
    const code = 'import moto; print(moto.__version__)';
    return execFileSync(python, ['-c', code], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function motoPython(): string {
  const script = resolveMotoScript();
  const shebang = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  if (!shebang.startsWith('#!')) return 'python3';
  const [interpreter = 'python3', ...rest] = shebang.slice(2).trim().split(/\s+/);
  return interpreter.endsWith('/env') ? (rest[0] ?? 'python3') : interpreter;
}

function resolveMotoScript(): string {
  try {
    return execFileSync('pyenv', ['which', 'moto_server'], { encoding: 'utf8' }).trim();
  } catch {
    return execFileSync('which', ['moto_server'], { encoding: 'utf8' }).trim();
  }
}
