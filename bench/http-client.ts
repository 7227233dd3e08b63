import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SignedRequest, Target } from './sign.js';

/** One answered request. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  /** From the first byte written to the last byte read. */
  readonly ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** Sends `signed` to `target` over a kept-alive connection and reads the whole answer. */
export function send(target: Target, signed: SignedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      { ...target, agent, method: signed.method, path: signed.path, headers: signed.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(signed.body);
  });
}

/** Drops the kept-alive connections so the process can exit. */
export function closeConnections(): void {
  agent.destroy();
}

/** Polls `GET path` until it answers 200, or fails after `timeoutMs`. */
export async function waitForHttp(target: Target, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answersOk(target, path)) return;
    if (Date.now() > deadline) {
      throw new Error(`no 200 from http://${target.hostname}:${target.port}${path}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function answersOk(target: Target, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, path, method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}
