import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretBox } from '../../src/auth/secret-box.js';
import { allRegions } from '../../src/partitions.js';
import {
  certificateNames,
  ensureCa,
  ensureServerCertificate,
  tlsFiles,
} from '../../src/tls/certificates.js';
import { namesKey, serverNames } from '../../src/tls/host-names.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('the private CA and the server certificate', () => {
  let dir: string;
  const box = new SecretBox(Buffer.alloc(32, 7));
  const names = serverNames(allRegions(), '127.0.0.1');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedgate-certs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('issues an RSA 2048 certificate for every AWS host name, signed by a 3072-bit CA', async () => {
    const issued = await ensureServerCertificate(dir, box, names);
    const cert = new X509Certificate(issued.cert);
    const ca = new X509Certificate(readFileSync(tlsFiles(dir).ca));
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
    assert.equal(cert.ca, false);
    assert.ok(ca.ca);
    assert.equal(namesKey(certificateNames(issued.cert)), namesKey(names));
    for (const host of [
      'ecs-fips.us-gov-east-1.amazonaws.com',
      'cloudtrail.us-west-2.amazonaws.com',
      'my-bucket.s3-fips.us-gov-west-1.amazonaws.com',
      'ssmmessages.us-gov-west-1.amazonaws.com',
      'localhost',
    ]) {
      assert.equal(
        cert.checkHost(host),
        host.startsWith('my-bucket') ? '*.s3-fips.us-gov-west-1.amazonaws.com' : host,
      );
    }
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    const days = (new Date(cert.validTo).getTime() - Date.now()) / DAY_MS;
    assert.ok(days > 820 && days <= 825, `${days}`);
  });

  it('keeps its private keys private: the server key 0600, the CA key sealed and 0600', () => {
    const files = tlsFiles(dir);
    assert.equal(statSync(files.serverKey).mode & 0o777, 0o600);
    assert.equal(statSync(files.caKey).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(files.caKey, 'utf8'), /PRIVATE KEY/);
    assert.match(box.open(readFileSync(files.caKey, 'utf8').trim()), /BEGIN PRIVATE KEY/);
  });

  it('keeps the certificate while it serves the same names', async () => {
    const before = readFileSync(tlsFiles(dir).server, 'utf8');
    const again = await ensureServerCertificate(dir, box, names);
    assert.equal(again.cert, before);
  });

  it('replaces the server certificate, never the CA, when the names change or it nears its end', async () => {
    const caBefore = readFileSync(tlsFiles(dir).ca, 'utf8');
    const first = readFileSync(tlsFiles(dir).server, 'utf8');
    const fewer = await ensureServerCertificate(dir, box, names.slice(1));
    assert.notEqual(fewer.cert, first);
    assert.equal(namesKey(certificateNames(fewer.cert)), namesKey(names.slice(1)));

    const later = new Date(Date.now() + 800 * DAY_MS);
    const renewed = await ensureServerCertificate(dir, box, names.slice(1), later);
    assert.notEqual(renewed.cert, fewer.cert);
    assert.equal(readFileSync(tlsFiles(dir).ca, 'utf8'), caBefore);
    assert.equal(await ensureCa(dir, box), tlsFiles(dir).ca);
  });

  it('refuses an expired CA, saying how to make a new one', async () => {
    const past = new Date(Date.now() + 3700 * DAY_MS);
    await assert.rejects(ensureCa(dir, box, past), /expired .* remove .* to make a new one/);
  });
});
