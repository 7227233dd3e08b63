import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { REGION, type Operation } from './operations.js';

/** Long-term credentials to sign with. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A signed HTTP request, ready to send or to replay within its 15-minute window. */
export interface SignedRequest {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Where a request goes: the host header is part of the signature. */
export interface Target {
  readonly hostname: string;
  readonly port: number;
}

/** Signs `operation` for `target` with SigV4, as the AWS SDK would. */
export function signOperation(
  operation: Operation,
  target: Target,
  credentials: Credentials,
): Promise<SignedRequest> {
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': operation.target,
  };
  return signPost(target, credentials, operation.service, headers, operation.body);
}

/** Signs a POST of `body` to `/` for `service`, with `headers` besides host and length. */
export async function signPost(
  target: Target,
  credentials: Credentials,
  service: string,
  headers: Record<string, string>,
  body: string,
): Promise<SignedRequest> {
  const signer = new SignatureV4({ service, region: REGION, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: target.hostname,
    port: target.port,
    path: '/',
    query: {},
    headers: {
      ...headers,
      host: `${target.hostname}:${target.port}`,
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
  return { method: 'POST', path: '/', headers: { ...signed.headers }, body };
}
