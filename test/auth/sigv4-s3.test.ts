// S3 mode: unnormalized paths and payload hashes declared in x-amz-content-sha256.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BAD_SIGNATURE,
  failure,
  presigned,
  sha256Hex,
  signed,
  verify,
  withoutHeader,
  type RequestInit,
  type SignerOptions,
} from './sigv4-helpers.js';

describe('verifySigV4 in S3 mode', () => {
  const s3Signer = { service: 's3', uriEscapePath: false } satisfies SignerOptions;
  const s3Put = (hash: string, body = 'hello world'): RequestInit => ({
    method: 'PUT',
    hostname: 'bucket.s3.us-east-1.amazonaws.com',
    path: '/dir//my%20key%2Bplus/caf%C3%A9~',
    headers: { 'content-type': 'text/plain', 'x-amz-content-sha256': hash },
    body,
  });

  it('accepts UNSIGNED-PAYLOAD without hashing the body', async () => {
    const request = await signed(s3Put('UNSIGNED-PAYLOAD'), s3Signer);
    const otherBody = { ...request, body: Buffer.from('anything else') };

    const result = await verify(otherBody, { s3: true, expectedService: 's3' });

    assert.ok(
      result.signedHeaders.includes('x-amz-content-sha256'),
      'x-amz-content-sha256 should be signed',
    );
  });

  it('accepts a signed body hash', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);

    const result = await verify(request, { s3: true });

    assert.equal(result.scope.service, 's3');
  });

  it('accepts a STREAMING- payload declaration', async () => {
    const request = await signed(s3Put('STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'chunks'), s3Signer);

    const result = await verify(request, { s3: true });

    assert.equal(result.scope.service, 's3');
  });

  it('returns badSignature when the body does not match the signed hash', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);
    const changed = { ...request, body: Buffer.from('hello there') };

    await failure(verify(changed, { s3: true }), 'badSignature', /x-amz-content-sha256/);
  });

  it('returns badSignature when an S3 path is verified with the double encoding', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);

    await failure(verify(request), 'badSignature', BAD_SIGNATURE);
  });

  it('accepts an S3 key that spells unreserved characters encoded or hex in lowercase', async () => {
    const request = await signed(s3Put(sha256Hex('hello world')), s3Signer);
    const respelled = { ...request, path: request.path.replace('%C3%A9~', '%c3%a9%7E') };
    assert.notEqual(respelled.path, request.path);

    const result = await verify(respelled, { s3: true });

    assert.equal(result.scope.service, 's3');
  });

  it('returns incomplete when x-amz-content-sha256 is missing', async () => {
    const request = await signed(s3Put('UNSIGNED-PAYLOAD'), s3Signer);

    await failure(
      verify(withoutHeader(request, 'x-amz-content-sha256'), { s3: true }),
      'incomplete',
      'Missing required header for this request: x-amz-content-sha256',
    );
  });

  it('returns incomplete when x-amz-content-sha256 is not a hash nor a known marker', async () => {
    const request = await signed(s3Put('not-a-hash'), s3Signer);

    await failure(verify(request, { s3: true }), 'incomplete', /x-amz-content-sha256 must be/);
  });

  it('accepts a presigned S3 GET whose UNSIGNED-PAYLOAD was hoisted into the query', async () => {
    const request = await presigned(
      {
        hostname: 'bucket.s3.us-east-1.amazonaws.com',
        path: '/photos/my%20cat.jpg',
        query: { versionId: 'v+1' },
        headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      s3Signer,
    );
    assert.match(request.query, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/i);

    const result = await verify(request, { s3: true });

    assert.equal(result.presigned, true);
  });
});
