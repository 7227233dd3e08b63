import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { PutAccountSettingDefaultCommand } from '@aws-sdk/client-ecs';
import { tlsFiles } from '../../src/tls/certificates.js';
import { FIPS_TLS_POLICY, inPolicy } from '../../src/tls/policy.js';
import { awsCli } from '../support/aws-cli.js';
import { cloudTrailClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { requireBinary } from '../support/registry.js';
import { fedgateCli } from '../support/fedgate-cli.js';
import {
  handshake,
  loopbackLookup,
  newestRecord,
  testCa,
  tlsCloudTrailClient,
  tlsEcsClient,
} from '../support/tls-clients.js';

const run = promisify(execFile);
const REGION = 'us-gov-east-1';
const SAMPLE_HOST = 'ecs-fips.us-gov-east-1.amazonaws.com';
const SAMPLE_SUITE = 'ECDHE-RSA-AES128-GCM-SHA256';
const PUT_DEFAULT = 'PutAccountSettingDefault';

describe('HTTPS with the FIPS TLS policy', () => {
  let server: TestServer;
  let ca: string;
  let caFile: string;
  let trail: CloudTrailClient;

  before(async () => {
    server = await startTestServer({ tls: true, tlsPort: 0 });
    caFile = tlsFiles(server.dataDir).ca;
    ca = testCa(server.dataDir);
    trail = cloudTrailClient({ endpoint: server.url, credentials: server.root, region: REGION });
  });
  after(() => server.stop());

  const cli = (endpoint: string, args: string[]) =>
    awsCli(endpoint, server.root, REGION, [
      'ecs',
      'put-account-setting-default',
      ...['--name', 'containerInsights', '--value', 'enabled'],
      ...args,
    ]);

  it('serves the AWS CLI over HTTPS and records tlsDetails; plain HTTP records none', async () => {
    assert.ok(server.tlsUrl && server.tlsPort);
    const endpoint = `https://localhost:${server.tlsPort}`;
    const secure = await cli(endpoint, ['--ca-bundle', caFile]);
    assert.equal(secure.code, 0, secure.stderr);

    const record = await newestRecord(trail, PUT_DEFAULT);
    const details = record.tlsDetails as Record<string, string>;
    assert.equal(details.tlsVersion, 'TLSv1.3');
    assert.ok(inPolicy(details.cipherSuite ?? ''), details.cipherSuite);
    assert.equal(details.clientProvidedHostHeader, `localhost:${server.tlsPort}`);

    const plain = await cli(server.url, []);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal((await newestRecord(trail, PUT_DEFAULT)).tlsDetails, undefined);
  });

  it('refuses a CLI that does not trust the CA', async () => {
    const out = await cli(`https://localhost:${server.tlsPort}`, []);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /SSL|certificate/i);
  });

  it('serves the JS SDK by an AWS host name, whose Host header is recorded as sent', async () => {
    const target = {
      endpoint: `https://${SAMPLE_HOST}:${server.tlsPort}`,
      credentials: server.root,
      region: REGION,
      ca,
      agent: { lookup: loopbackLookup },
    };
    await tlsEcsClient(target).send(
      new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }),
    );
    const record = await newestRecord(tlsCloudTrailClient(target), PUT_DEFAULT);
    const details = record.tlsDetails as Record<string, string>;
    assert.equal(details.clientProvidedHostHeader, `${SAMPLE_HOST}:${server.tlsPort}`);
    assert.equal(details.tlsVersion, 'TLSv1.3');
    assert.equal(details.cipherSuite, 'TLS_AES_128_GCM_SHA256');
  });

  it('refuses at the handshake clients offering nothing the policy allows', async () => {
    const port = server.tlsPort ?? 0;
    const refused = [
      { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' },
      { minVersion: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' },
      { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
      { ecdhCurve: 'X25519' },
      { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' },
      { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256' },
    ] as const;
    for (const options of refused) {
      const result = await handshake(port, ca, options);
      assert.equal(result.ok, false, JSON.stringify(options));
    }
    // Still serving.
    const after = await handshake(port, ca, {});
    assert.deepEqual(after, { ok: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    const health = await handshake(port, ca, { maxVersion: 'TLSv1.2', ecdhCurve: 'P-384' });
    assert.deepEqual(health, { ok: true, protocol: 'TLSv1.2', cipher: SAMPLE_SUITE });
  });

  it('`fedgate ca path` prints the CA that issued the server certificate', async () => {
    const { stdout } = await fedgateCli(['ca', 'path', '--data-dir', server.dataDir]);
    const printed = stdout.trim();
    assert.equal(printed, caFile);
    assert.ok(existsSync(printed));

    const issuer = new X509Certificate(readFileSync(printed));
    const served = new X509Certificate(readFileSync(tlsFiles(server.dataDir).server));
    assert.ok(issuer.ca);
    assert.ok(served.checkIssued(issuer) && served.verify(issuer.publicKey));
    assert.match(served.subjectAltName ?? '', new RegExp(`DNS:${SAMPLE_HOST}`));
    assert.match(served.subjectAltName ?? '', /DNS:\*\.s3-fips\.us-gov-west-1\.amazonaws\.com/);
    assert.match(served.subjectAltName ?? '', /DNS:ssmmessages\.us-east-1\.amazonaws\.com/);
    assert.match(served.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    requireBinary('/usr/bin/openssl', 'openssl');
    const serverFile = tlsFiles(server.dataDir).server;
    const verified = await run('/usr/bin/openssl', ['verify', '-CAfile', printed, serverFile]);
    assert.match(verified.stdout, /: OK$/m);
  });

  it('`fedgate doctor` shows the policy and an honest FIPS status', async () => {
    const out = await fedgateCli(['doctor']).catch((err: { stdout?: string }) => ({
      stdout: err.stdout ?? '',
    }));
    assert.match(out.stdout, new RegExp(`TLS policy ${FIPS_TLS_POLICY.name}`));
    assert.match(out.stdout, /TLSv1\.2:\s+ECDHE-ECDSA-AES128-GCM-SHA256/);
    assert.match(out.stdout, /groups:\s+P-256, P-384/);
    assert.match(out.stdout, /crypto\.getFips\(\) = 0\): off/);
    assert.match(out.stdout, /not FIPS 140-validated unless Node runs a validated OpenSSL FIPS/);
  });
});

describe("HTTPS limited to TLS 1.2: the record of AWS's sample event", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ tls: true, tlsPort: 0, tlsMaxVersion: 'TLSv1.2' });
  });
  after(() => server.stop());

  it('records TLSv1.2 and ECDHE-RSA-AES128-GCM-SHA256 for the AWS CLI and the SDK', async () => {
    const caFile = tlsFiles(server.dataDir).ca;
    const endpoint = `https://127.0.0.1:${server.tlsPort}`;
    const out = await awsCli(endpoint, server.root, REGION, [
      ...['ecs', 'put-account-setting-default', '--name', 'containerInsights'],
      ...['--value', 'enabled', '--ca-bundle', caFile],
    ]);
    assert.equal(out.code, 0, out.stderr);

    const target = {
      endpoint: `https://${SAMPLE_HOST}:${server.tlsPort}`,
      credentials: server.root,
      region: REGION,
      ca: testCa(server.dataDir),
      agent: {
        lookup: loopbackLookup,
        ciphers: `${SAMPLE_SUITE}:ECDHE-RSA-AES256-GCM-SHA384`,
      },
    };
    const trail = tlsCloudTrailClient(target);
    const cliRecord = await newestRecord(trail, PUT_DEFAULT);
    assert.deepEqual(cliRecord.tlsDetails, {
      tlsVersion: 'TLSv1.2',
      cipherSuite: SAMPLE_SUITE,
      clientProvidedHostHeader: `127.0.0.1:${server.tlsPort}`,
    });

    await tlsEcsClient(target).send(
      new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }),
    );
    assert.deepEqual((await newestRecord(trail, PUT_DEFAULT)).tlsDetails, {
      tlsVersion: 'TLSv1.2',
      cipherSuite: SAMPLE_SUITE,
      clientProvidedHostHeader: `${SAMPLE_HOST}:${server.tlsPort}`,
    });
  });
});

describe('HTTPS with a certificate and key from files', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedgate-tls-files-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const selfSigned = async (name: string, keyArg: string[]) => {
    const cert = join(dir, `${name}.pem`);
    const key = join(dir, `${name}-key.pem`);
    requireBinary('/usr/bin/openssl', 'openssl');
    await run('/usr/bin/openssl', [
      ...['req', '-x509', '-nodes', '-days', '2', '-subj', '/CN=localhost'],
      ...keyArg,
      ...['-keyout', key, '-out', cert, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ]);
    return { cert, key };
  };

  it('serves the given certificate as is', async () => {
    const files = await selfSigned('ec', [
      ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    ]);
    // Its own directory, removed with the others in after(): Kysely's destroy() does not wait
    // for the store's checkpoint worker, which a start this fast may still be opening.
    const server = await startTestServer({
      tls: true,
      tlsPort: 0,
      tlsCert: files.cert,
      tlsKey: files.key,
      dataDir: join(dir, 'data'),
    });
    try {
      const ca = readFileSync(files.cert, 'utf8');
      const result = await handshake(server.tlsPort ?? 0, ca, { maxVersion: 'TLSv1.2' });
      assert.deepEqual(result, {
        ok: true,
        protocol: 'TLSv1.2',
        cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      });
      assert.equal(existsSync(tlsFiles(server.dataDir).server), false);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start with a key the policy does not allow, saying what it needs', async () => {
    const files = await selfSigned('weak', ['-newkey', 'rsa:1024']);
    const dataDir = join(dir, 'refused');
    await assert.rejects(
      startTestServer({ tls: true, tlsPort: 0, tlsCert: files.cert, tlsKey: files.key, dataDir }),
      /RSA key of at least 2048 bits/,
    );
  });
});
