import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { errorCode, s3Call } from '../support/s3-requests.js';

const CREATE_IN_REGION =
  '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  '<LocationConstraint>us-gov-west-1</LocationConstraint></CreateBucketConfiguration>';

describe('S3 object size limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ maxObjectBytes: 1024 });
    await s3Call(server.url, server.root, {
      method: 'PUT',
      path: '/small-bucket',
      body: CREATE_IN_REGION,
    });
  });
  after(() => server.stop());

  it('returns EntityTooLarge when the body is over maxObjectBytes', async () => {
    const answer = await s3Call(server.url, server.root, {
      method: 'PUT',
      path: '/small-bucket/big',
      body: Buffer.alloc(2048),
    });
    assert.equal(answer.status, 400);
    assert.equal(errorCode(answer), 'EntityTooLarge');
    const fits = await s3Call(server.url, server.root, {
      method: 'PUT',
      path: '/small-bucket/fits',
      body: Buffer.alloc(1000),
    });
    assert.equal(fits.status, 200);
  });
});
