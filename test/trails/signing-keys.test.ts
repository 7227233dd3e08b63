import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { SecretBox } from '../../src/auth/secret-box.js';
import { openSqliteStore } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';
import {
  DEFAULT_KEY_ROTATION_MS,
  currentSigningKey,
  listPublicKeys,
} from '../../src/trails/signing-keys.js';

const DAY = 24 * 60 * 60 * 1000;
const REGION = 'us-gov-west-1';
const T0 = Date.UTC(2026, 0, 1);
const rotation = { periodMs: 10 * DAY };
const at = (days: number) => new Date(T0 + days * DAY);

describe('trail signing keys', () => {
  let db: Kysely<Database>;
  const box = new SecretBox(randomBytes(32));

  before(async () => {
    db = await openSqliteStore(':memory:');
  });
  after(() => db.destroy());

  it('creates one key per region, keeps it through its window, then rotates', async () => {
    const first = await currentSigningKey(db, box, REGION, at(0), rotation);
    assert.deepEqual(first.validFrom, at(0));
    assert.deepEqual(first.validUntil, at(10));

    const later = await currentSigningKey(db, box, REGION, at(9.99), rotation);
    assert.equal(later.fingerprint, first.fingerprint);

    const other = await currentSigningKey(db, box, 'us-gov-east-1', at(1), rotation);
    assert.notEqual(other.fingerprint, first.fingerprint);

    const rotated = await currentSigningKey(db, box, REGION, at(10), rotation);
    assert.notEqual(rotated.fingerprint, first.fingerprint);
    assert.deepEqual(rotated.validFrom, at(10));
    assert.deepEqual(rotated.validUntil, at(20));

    // Stopped for a while: the next key starts when it is first needed, not back-dated.
    const afterGap = await currentSigningKey(db, box, REGION, at(35), rotation);
    assert.deepEqual(afterGap.validFrom, at(35));
    assert.equal(
      (await currentSigningKey(db, box, REGION, at(36), rotation)).fingerprint,
      afterGap.fingerprint,
    );
  });

  it('lists the keys whose validity overlaps the range, oldest first, old keys kept', async () => {
    const starts = async (start: number, end: number) =>
      (await listPublicKeys(db, REGION, at(start), at(end))).map((k) => k.validityStart.getTime());

    assert.deepEqual(await starts(-5, -1), []);
    assert.deepEqual(await starts(-5, 0), [T0]);
    assert.deepEqual(await starts(1, 2), [T0]);
    // Validity ends exclusive: a range starting at the end of the first key misses it.
    assert.deepEqual(await starts(10, 11), [at(10).getTime()]);
    assert.deepEqual(await starts(5, 1000), [T0, at(10).getTime(), at(35).getTime()]);
    assert.deepEqual(await starts(20, 34), []);
    assert.equal((await listPublicKeys(db, 'us-gov-east-1', at(0), at(100))).length, 1);
  });

  it('describes each key as ListPublicKeys does: PKCS#1 DER, its MD5, its window', async () => {
    const key = await currentSigningKey(db, box, REGION, at(36), rotation);
    const [listed] = await listPublicKeys(db, REGION, at(36), at(36));
    assert.ok(listed);
    const der = Buffer.from(listed.value, 'base64');
    assert.deepEqual(der, key.publicDer);
    assert.equal(listed.fingerprint, createHash('md5').update(der).digest('hex'));
    assert.equal(listed.fingerprint, key.fingerprint);
    assert.deepEqual(listed.validityStart, key.validFrom);
    assert.deepEqual(listed.validityEnd, key.validUntil);

    const publicKey = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const signature = sign('sha256', Buffer.from('x'), key.privateKey);
    assert.ok(verify('sha256', Buffer.from('x'), publicKey, signature));
  });

  it('never stores a private key in clear, and opens it only with the master key', async () => {
    const key = await currentSigningKey(db, box, REGION, at(36), rotation);
    const clear = [
      key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      key.privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
      key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('hex'),
    ];
    const row = await db
      .selectFrom('trail_signing_keys')
      .selectAll()
      .where('fingerprint', '=', key.fingerprint)
      .executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    assert.doesNotMatch(stored, /PRIVATE KEY/);
    for (const text of clear) {
      // The body of a PEM without its armour, in case only that leaked.
      const body = text.replace(/-----[^-]+-----|\s/g, '').slice(0, 64);
      assert.equal(stored.includes(body), false);
    }

    const stranger = new SecretBox(randomBytes(32));
    await assert.rejects(currentSigningKey(db, stranger, REGION, at(36), rotation));
  });

  it('rotates every 30 days by default', async () => {
    assert.equal(DEFAULT_KEY_ROTATION_MS, 30 * DAY);
    const key = await currentSigningKey(db, box, 'us-east-1', at(0));
    assert.equal(key.validUntil.getTime() - key.validFrom.getTime(), 30 * DAY);
  });

  it('stores one key when two callers ask for the first at once', async () => {
    const [a, b] = await db
      .transaction()
      .execute((tx) =>
        Promise.all([
          currentSigningKey(tx, box, 'us-west-2', at(0), rotation),
          currentSigningKey(tx, box, 'us-west-2', at(0), rotation),
        ]),
      );
    assert.equal(a.fingerprint, b.fingerprint);
    assert.equal((await listPublicKeys(db, 'us-west-2', at(0), at(1))).length, 1);
  });
});
