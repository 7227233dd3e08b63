import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestCredentials } from './fedgate.js';

/** A raw request to send, before signing. */
export interface RawCall {
  readonly service: string;
  readonly region: string;
  readonly target?: string;
  readonly body: string;
  readonly contentType?: string;
  readonly signingDate?: Date;
  readonly headers?: Record<string, string>;
}

/** What came back, parsed when it was JSON. */
export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** Signs a raw request with the AWS SDK's SigV4 signer, for inputs SDKs would never send. */
export async function signedRequest(endpoint: string, credentials: TestCredentials, call: RawCall) {
  const url = new URL(endpoint);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': call.contentType ?? 'application/x-amz-json-1.1',
    ...(call.target ? { 'x-amz-target': call.target } : {}),
    ...call.headers,
  };
  const request = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers,
    body: call.body,
  };
  const signer = new SignatureV4({
    credentials,
    region: call.region,
    service: call.service,
    sha256: Hash.bind(null, 'sha256'),
  });
  return signer.sign(request, { signingDate: call.signingDate });
}

/** Signs and sends a raw request; answers status and body. */
export async function signedFetch(endpoint: string, credentials: TestCredentials, call: RawCall) {
  const signed = await signedRequest(endpoint, credentials, call);
  return rawFetch(endpoint, signed.headers, call.body);
}

/** Sends a request as given, signed or not. */
export async function rawFetch(
  endpoint: string,
  headers: Record<string, string>,
  body: string,
  path = '/',
): Promise<RawAnswer> {
  const { host, ...sendable } = headers;
  const response = await fetch(new URL(path, endpoint), {
    method: 'POST',
    headers: sendable,
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}
