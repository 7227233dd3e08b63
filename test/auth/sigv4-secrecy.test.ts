// Secrecy: no failure message echoes the secret, the signature or the canonical request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { AuthFailureKind } from '../../src/auth/errors.js';
import type { IncomingSignedRequest } from '../../src/auth/sigv4.js';
import {
  editAuthorization,
  failure,
  headerOf,
  jsonPost,
  OTHER_SECRET,
  SECRET,
  sha256Hex,
  signed,
  verify,
  withHeader,
  withoutHeader,
} from './sigv4-helpers.js';

describe('verifySigV4 error messages', () => {
  it('never contain the secret, the expected signature or the canonical request', async () => {
    const good = await signed(jsonPost);
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(headerOf(good, 'authorization'))?.[1];
    assert.ok(expectedSignature, 'the signed request has no signature');
    // Without its slashes the secret passes the credential's shape check and reaches later ones.
    const leak = SECRET.replaceAll('/', '');
    const inAuthorization = (from: string | RegExp, to: string): IncomingSignedRequest =>
      editAuthorization(good, (auth) => auth.replace(from, to));

    const attempts: [() => Promise<unknown>, AuthFailureKind][] = [
      [() => verify(withHeader(good, 'x-amz-target', 'x')), 'badSignature'],
      [() => verify({ ...good, body: Buffer.from('x') }), 'badSignature'],
      [async () => verify(await signed(jsonPost, { secret: OTHER_SECRET })), 'badSignature'],
      [() => verify(good, { lookupSecret: () => undefined }), 'unknownKey'],
      [() => verify(good, { expectedService: 's3' }), 'badScope'],
      [() => verify(good, { now: new Date('2027-01-01T00:00:00Z') }), 'expired'],
      [() => verify(withoutHeader(good, 'x-amz-target')), 'incomplete'],
      // A confused client may paste its secret into any field; no message may echo it.
      [() => verify(editAuthorization(good, () => SECRET)), 'incomplete'],
      [() => verify(inAuthorization('AWS4-HMAC-SHA256', leak)), 'incomplete'],
      [() => verify(inAuthorization(/\/20261203.*?,/, `/${SECRET},`)), 'incomplete'],
      [() => verify(inAuthorization('20261203', leak)), 'incomplete'],
      [() => verify(inAuthorization('aws4_request', leak)), 'badScope'],
      [() => verify(inAuthorization('host;', `host;${leak};`)), 'incomplete'],
      [() => verify(inAuthorization('content-type', leak)), 'incomplete'],
      [() => verify(withHeader(good, 'x-amz-date', SECRET)), 'incomplete'],
      [() => verify(withHeader(withoutHeader(good, 'x-amz-date'), 'date', SECRET)), 'incomplete'],
    ];

    for (const [attempt, kind] of attempts) {
      const error = await failure(attempt(), kind);
      assert.ok(!error.message.includes(leak), error.message);
      assert.ok(!error.message.includes(expectedSignature), error.message);
      assert.ok(!error.message.includes('\n'), 'a canonical request spans several lines');
      assert.ok(!error.message.includes(sha256Hex(jsonPost.body)), error.message);
    }
  });
});
