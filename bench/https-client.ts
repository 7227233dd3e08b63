import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { SignedRequest, Target } from './sign.js';

/** What a verified HTTPS client connection negotiated, and the answer it got. */
export interface TlsAnswer {
  readonly status: number;
  readonly body: string;
  /** `TLSv1.3` or `TLSv1.2`. */
  readonly protocol: string;
  /** The negotiated suite, by OpenSSL's name. */
  readonly cipher: string;
}

/** Client TLS settings: the CA to trust and the highest version to offer. */
export interface TlsClient {
  /** The CA certificate (PEM) the server's certificate must chain to. */
  readonly ca: string;
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * Sends `signed` over a new HTTPS connection that verifies the server's certificate against
 * `client.ca` (and its name, 127.0.0.1), and reads the whole answer.
 */
export function sendTls(
  target: Target,
  signed: SignedRequest,
  client: TlsClient,
): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const options = { ...target, ...client, agent: false, method: signed.method };
    const req = request({ ...options, path: signed.path, headers: signed.headers }, (res) => {
      const socket = res.socket as TLSSocket;
      const negotiated = { protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().name };
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body, ...negotiated });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(signed.body);
  });
}

/** Polls `GET path` over verified HTTPS until it answers 200, or fails after `timeoutMs`. */
export async function waitForHttps(
  target: Target,
  path: string,
  ca: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answersOk(target, path, ca)) return;
    if (Date.now() > deadline) {
      throw new Error(`no 200 from https://${target.hostname}:${target.port}${path}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function answersOk(target: Target, path: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, ca, path, method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}
