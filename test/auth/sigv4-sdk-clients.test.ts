// Real AWS SDK clients over HTTP, verified the way the gateway verifies them.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

import { AuthFailure } from '../../src/auth/errors.js';
import {
  readCredentialScope,
  verifySigV4,
  type IncomingSignedRequest,
  type VerifiedRequest,
} from '../../src/auth/sigv4.js';
import {
  ACCESS_KEY_ID,
  lookupSecret,
  OTHER_SECRET,
  SECRET,
  SESSION_TOKEN,
} from './sigv4-helpers.js';

describe('verifySigV4 with real AWS SDK clients over HTTP', () => {
  let server: Server;
  let endpoint = '';
  const outcomes: (VerifiedRequest | Error)[] = [];

  before(async () => {
    server = createServer((req, res) => void answer(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Verifies like the gateway will: the service comes from readCredentialScope. */
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const incoming: IncomingSignedRequest = {
      method: req.method ?? 'GET',
      path: queryAt === -1 ? target : target.slice(0, queryAt),
      query: queryAt === -1 ? '' : target.slice(queryAt + 1),
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks),
    };

    // Failures are recorded for the test to assert on; throwing here would only hang the client.
    let service: string | undefined;
    try {
      service = readCredentialScope(incoming)?.service;
      const options = { now: new Date(), lookupSecret, expectedService: service };
      outcomes.push(await verifySigV4(incoming, options));
    } catch (error) {
      outcomes.push(error instanceof Error ? error : new Error(String(error)));
    }
    respond(service, res);
  }

  function respond(service: string | undefined, res: ServerResponse): void {
    if (service === 'sts') {
      res.setHeader('content-type', 'text/xml');
      res.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
          '<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/test</Arn>' +
          '<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>' +
          '</GetCallerIdentityResult></GetCallerIdentityResponse>',
      );
      return;
    }
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end('{"clusterArns":[]}');
  }

  const credentials = {
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    sessionToken: SESSION_TOKEN,
  };

  it('accepts an ECS ListClusters call from @aws-sdk/client-ecs', async () => {
    const client = new ECSClient({ region: 'eu-west-1', endpoint, credentials, maxAttempts: 1 });
    outcomes.length = 0;

    await client.send(new ListClustersCommand({ maxResults: 5 }));
    client.destroy();

    const [outcome] = outcomes;
    assert.ok(outcome !== undefined && !(outcome instanceof Error), String(outcome));
    assert.equal(outcome.scope.service, 'ecs');
    assert.equal(outcome.scope.region, 'eu-west-1');
    assert.equal(outcome.securityToken, SESSION_TOKEN);
    assert.ok(outcome.signedHeaders.includes('x-amz-target'), 'x-amz-target should be signed');
  });

  it('accepts an STS GetCallerIdentity form POST from @aws-sdk/client-sts', async () => {
    const client = new STSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
    outcomes.length = 0;

    const identity = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();

    assert.equal(identity.Account, '123456789012');
    const [outcome] = outcomes;
    assert.ok(outcome !== undefined && !(outcome instanceof Error), String(outcome));
    assert.equal(outcome.scope.service, 'sts');
  });

  it('returns badSignature for an SDK client with the wrong secret', async () => {
    const wrong = { ...credentials, secretAccessKey: OTHER_SECRET };
    const client = new ECSClient({
      region: 'us-east-1',
      endpoint,
      credentials: wrong,
      maxAttempts: 1,
    });
    outcomes.length = 0;

    await client.send(new ListClustersCommand({}));
    client.destroy();

    const [outcome] = outcomes;
    assert.ok(outcome instanceof AuthFailure, `expected a failure, got ${String(outcome)}`);
    assert.equal(outcome.kind, 'badSignature');
  });
});
