import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './fedgate-process.js';

/** A `moto_server` (an S3-compatible server for tests) running as a child process. */
export interface MotoServer {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** Stops the server and waits until it has exited. */
  stop(): Promise<void>;
}

/** The path of `moto_server`, or a failure that names the pip package to install. */
export function requireMotoServer(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'moto_server')),
    // pip installs under pyenv put their commands here when its shims are not on PATH.
    join(homedir(), '.pyenv', 'shims', 'moto_server'),
    '/usr/local/bin/moto_server',
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new Error(
    "external S3 tests need `moto_server` on PATH (pip package moto[server], e.g. pip install 'moto[server]')",
  );
}

/** Starts `moto_server` on a free loopback port and waits until it answers HTTP. */
export async function startMoto(): Promise<MotoServer> {
  const command = requireMotoServer();
  const port = await freePort();
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!gone) child.kill('SIGTERM');
    await exited;
  };
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (gone) throw new Error(`moto_server exited before it answered:\n${stderr}`);
    try {
      await fetch(`${endpoint}/`);
      return { endpoint, child, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error(`moto_server did not answer ${endpoint} within 30 s:\n${stderr}`);
}
