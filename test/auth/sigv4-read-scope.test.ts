// readCredentialScope, which the router calls before verification.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AuthFailure } from '../../src/auth/errors.js';
import { readCredentialScope } from '../../src/auth/sigv4.js';
import { ACCESS_KEY_ID, jsonPost, presigned, signed, vector } from './sigv4-helpers.js';

describe('readCredentialScope', () => {
  it('reads the scope from the Authorization header', async () => {
    const request = await signed(jsonPost, { service: 'sts' });

    assert.deepEqual(readCredentialScope(request), {
      accessKeyId: ACCESS_KEY_ID,
      date: '20261203',
      region: 'us-east-1',
      service: 'sts',
    });
  });

  it('reads the scope from X-Amz-Credential', async () => {
    const request = await presigned({}, { service: 'ecs' });

    assert.equal(readCredentialScope(request)?.service, 'ecs');
  });

  it('returns undefined when the request carries no SigV4 authentication', () => {
    const request = vector('GET', '/?Action=List', ['Host', 'localhost']);

    assert.equal(readCredentialScope(request), undefined);
  });

  it('throws incomplete when the Authorization header is malformed', () => {
    const request = vector('GET', '/', ['Host', 'localhost', 'Authorization', 'Bearer abc']);

    assert.throws(
      () => readCredentialScope(request),
      (error: unknown) => error instanceof AuthFailure && error.kind === 'incomplete',
    );
  });
});
