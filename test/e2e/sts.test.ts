import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { stsClient } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { createTestUser } from '../support/fedgate-cli.js';

describe('STS GetCallerIdentity (Query protocol)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('names an IAM user with partition-correct ARNs in GovCloud and commercial regions', async () => {
    const user = await createTestUser(server.dataDir, 'dave');
    const credentials = { accessKeyId: user.AccessKeyId, secretAccessKey: user.SecretAccessKey };
    const regions: [string, string][] = [
      ['us-gov-west-1', 'aws-us-gov'],
      ['us-east-2', 'aws'],
    ];
    for (const [region, partition] of regions) {
      const out = await stsClient({ endpoint: server.url, credentials, region }).send(
        new GetCallerIdentityCommand({}),
      );
      assert.equal(out.Arn, `arn:${partition}:iam::${server.root.accountId}:user/dave`);
      assert.equal(out.Account, server.root.accountId);
      assert.match(out.UserId ?? '', /^AIDA/);
    }
  });

  it('accepts a presigned GET and refuses it once expired', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({
      credentials: server.root,
      region: 'us-gov-west-1',
      service: 'sts',
      sha256: Hash.bind(null, 'sha256'),
    });
    const request = {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.host },
    };
    const fresh = await signer.presign(request, { expiresIn: 60 });
    const expired = await signer.presign(request, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });

    const ok = await fetch(
      `${server.url}/?${new URLSearchParams(fresh.query as Record<string, string>)}`,
    );
    const body = await ok.text();
    assert.equal(ok.status, 200, body);
    assert.match(body, new RegExp(`<Account>${server.root.accountId}</Account>`));

    const late = await fetch(
      `${server.url}/?${new URLSearchParams(expired.query as Record<string, string>)}`,
    );
    assert.equal(late.status, 403);
    assert.match(await late.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('returns InvalidClientTokenId for an unknown access key', async () => {
    const stranger = { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'q'.repeat(40) };
    const sts = stsClient({ endpoint: server.url, credentials: stranger, region: 'us-gov-west-1' });
    await rejectsWith(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });
});
