import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestCredentials } from './fedgate.js';

/** One S3 request to sign with the AWS SDK's SigV4 signer and send. */
export interface S3Call {
  readonly method: string;
  /** The raw path, already percent-encoded as it goes on the wire. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly region?: string;
  /** A Host header other than the endpoint's (virtual-hosted style). */
  readonly host?: string;
  /** The payload hash to sign instead of the body's (UNSIGNED-PAYLOAD, STREAMING-…). */
  readonly payloadHash?: string;
  readonly signingDate?: Date;
}

/** What came back. */
export interface S3Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

/** The signed headers of a call, including the Authorization header. */
export async function signS3(endpoint: string, credentials: TestCredentials, call: S3Call) {
  const url = new URL(endpoint);
  const body = call.body ?? '';
  const host = call.host ?? url.host;
  const payloadHash = call.payloadHash ?? createHash('sha256').update(body).digest('hex');
  const signer = new SignatureV4({
    credentials,
    region: call.region ?? 'us-gov-west-1',
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const signed = await signer.sign(
    {
      method: call.method,
      protocol: url.protocol,
      hostname: host.replace(/:\d+$/, ''),
      path: call.path,
      query: call.query ?? {},
      headers: { host, 'x-amz-content-sha256': payloadHash, ...call.headers },
      body,
    },
    { signingDate: call.signingDate ?? new Date() },
  );
  return signed.headers;
}

/** Signs and sends an S3 request over plain HTTP to the endpoint, whatever its Host header. */
export async function s3Call(
  endpoint: string,
  credentials: TestCredentials,
  call: S3Call,
): Promise<S3Answer> {
  const headers = await signS3(endpoint, credentials, call);
  return sendRaw(endpoint, call.method, pathWithQuery(call), headers, call.body);
}

/** Sends a request exactly as given. */
export function sendRaw(
  endpoint: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<S3Answer> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: all,
            text: all.toString(),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function pathWithQuery(call: S3Call): string {
  const query = Object.entries(call.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  return query === '' ? call.path : `${call.path}?${query}`;
}

/** The `<Code>` of an S3 XML error body. */
export function errorCode(answer: S3Answer): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(answer.text)?.[1];
}

/** The text of the first `<name>` element. */
export function xmlValue(text: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
}

/** Every `<name>` element's text, in order. */
export function xmlValues(text: string, name: string): string[] {
  return [...text.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1] ?? '');
}

/**
 * A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: each chunk signed over the previous signature,
 * starting from the request's (the seed), as S3's documentation describes it.
 */
export function signedChunks(
  data: Buffer,
  chunkSize: number,
  seed: { signature: string; secret: string; date: Date; region: string },
): Buffer {
  const timestamp = seed.date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const day = timestamp.slice(0, 8);
  const scope = `${day}/${seed.region}/s3/aws4_request`;
  let key = Buffer.from(`AWS4${seed.secret}`);
  for (const part of [day, seed.region, 's3', 'aws4_request']) {
    key = createHmac('sha256', key).update(part).digest();
  }

  const pieces: Buffer[] = [];
  let previous = seed.signature;
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  for (let at = 0; ; at += chunkSize) {
    const chunk = data.subarray(at, at + chunkSize);
    const toSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      timestamp,
      scope,
      previous,
      sha(Buffer.alloc(0)),
      sha(chunk),
    ];
    previous = createHmac('sha256', key).update(toSign.join('\n')).digest('hex');
    pieces.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    );
    if (chunk.length === 0) return Buffer.concat(pieces);
  }
}

/** The length of `signedChunks(data, chunkSize, …)`, which the Content-Length header needs. */
export function signedChunksLength(dataLength: number, chunkSize: number): number {
  let total = 0;
  for (let left = dataLength; ; left -= chunkSize) {
    const size = Math.max(0, Math.min(chunkSize, left));
    total += size.toString(16).length + ';chunk-signature='.length + 64 + 2 + size + 2;
    if (size === 0) return total;
  }
}
