import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import {
  deleteObject,
  findBucket,
  getObject,
  insertBucket,
  listObjectsPage,
  putObject,
} from '../../src/services/s3/bucket-store.js';
import { KeyListing, urlEncodeValue } from '../../src/services/s3/listing.js';
import { ObjectFiles } from '../../src/services/s3/object-files.js';
import { openSqliteStore } from '../../src/store/db.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { Database } from '../../src/store/schema.js';

/** Runs rows through a listing the way the store feeds it: sorted, from the marker on. */
function listKeys(keys: string[], options: ConstructorParameters<typeof KeyListing>[0]) {
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const listing = new KeyListing<{ key: string }>(options);
  for (const key of sorted) {
    if (
      options.after !== undefined &&
      Buffer.compare(Buffer.from(key), Buffer.from(options.after)) <= 0
    ) {
      continue;
    }
    if (Buffer.compare(Buffer.from(key), Buffer.from(options.prefix)) < 0) continue;
    if (!listing.offer({ key })) break;
  }
  const page = listing.page();
  return { ...page, contents: page.contents.map((row) => row.key) };
}

describe('S3 key listing', () => {
  const keys = ['a/1', 'a/2', 'a/b/3', 'b', 'c/1', 'c/2', 'd'];

  it('rolls keys under the delimiter into common prefixes', () => {
    const page = listKeys(keys, { prefix: '', delimiter: '/', maxKeys: 1000 });
    assert.deepEqual(page.contents, ['b', 'd']);
    assert.deepEqual(page.commonPrefixes, ['a/', 'c/']);
    assert.equal(page.isTruncated, false);
  });

  it('counts keys and common prefixes together against maxKeys', () => {
    const page = listKeys(keys, { prefix: '', delimiter: '/', maxKeys: 2 });
    assert.deepEqual(page.commonPrefixes, ['a/']);
    assert.deepEqual(page.contents, ['b']);
    assert.equal(page.isTruncated, true);
    assert.equal(page.last, 'b');
  });

  it('skips the keys of a common prefix the previous page ended on', () => {
    const page = listKeys(keys, { prefix: '', delimiter: '/', maxKeys: 1, after: 'a/' });
    assert.deepEqual(page.contents, ['b']);
    assert.deepEqual(page.commonPrefixes, []);
  });

  it('lists within a prefix with a nested delimiter', () => {
    const page = listKeys(keys, { prefix: 'a/', delimiter: '/', maxKeys: 1000 });
    assert.deepEqual(page.contents, ['a/1', 'a/2']);
    assert.deepEqual(page.commonPrefixes, ['a/b/']);
  });

  it('answers an empty, untruncated page for maxKeys 0', () => {
    const page = listKeys(keys, { prefix: '', maxKeys: 0 });
    assert.deepEqual(page.contents, []);
    assert.equal(page.isTruncated, false);
  });

  it('url-encodes values as S3 does for encoding-type=url', () => {
    assert.equal(urlEncodeValue('docs/sub dir/a+b\u00e9.txt'), 'docs/sub+dir/a%2Bb%C3%A9.txt');
  });
});

describe('S3 object store', () => {
  let dir: string;
  let db: Kysely<Database>;
  let files: ObjectFiles;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedgate-s3-store-'));
    db = await openSqliteStore(':memory:');
    files = new ObjectFiles(join(dir, 's3'), db);
    await insertBucket(db, {
      name: 'store-bucket',
      accountId: '111122223333',
      region: 'us-gov-west-1',
      createdAt: new Date(0),
    });
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const settled = () => files.settled();

  it('writes the file before the row and keeps no temp files', async () => {
    const { etag } = await putObject(db, files, {
      bucket: 'store-bucket',
      key: 'k',
      body: Buffer.from('hello'),
    });
    assert.equal(etag, '"5d41402abc4b2a76b9719d911017c592"');
    const stored = await getObject(db, files, 'store-bucket', 'k');
    assert.equal(stored?.body.toString(), 'hello');
    assert.deepEqual(
      readdirSync(files.dir).filter((name) => name.endsWith('.tmp')),
      [],
    );
    assert.equal((await findBucket(db, 'store-bucket'))?.accountId, '111122223333');
  });

  it('removes a replaced object file once the replacement commits', async () => {
    await putObject(db, files, { bucket: 'store-bucket', key: 'k', body: Buffer.from('second') });
    await settled();
    assert.equal(readdirSync(files.dir).length, 1);
    assert.equal((await getObject(db, files, 'store-bucket', 'k'))?.body.toString(), 'second');
  });

  it('keeps the old file when the transaction that replaced it rolls back', async () => {
    const commits = new GroupCommit(db);
    await commits
      .run(async (tx) => {
        await putObject(tx, files, {
          bucket: 'store-bucket',
          key: 'k',
          body: Buffer.from('third'),
        });
        throw new Error('the call fails after writing');
      })
      .catch(() => undefined);
    await settled();
    assert.equal((await getObject(db, files, 'store-bucket', 'k'))?.body.toString(), 'second');
    assert.equal(readdirSync(files.dir).length, 1);
  });

  it('sweeps files no row names, and stale temp files, at startup', async () => {
    writeFileSync(join(files.dir, 'f'.repeat(32)), 'orphan');
    writeFileSync(join(files.dir, `${'e'.repeat(32)}.tmp`), 'half written');
    const removed = await files.sweepOrphans(db);
    assert.equal(removed, 2);
    assert.equal((await getObject(db, files, 'store-bucket', 'k'))?.body.toString(), 'second');
  });

  it('deletes an object and its file', async () => {
    assert.equal(await deleteObject(db, files, 'store-bucket', 'k'), true);
    assert.equal(await deleteObject(db, files, 'store-bucket', 'k'), false);
    await settled();
    assert.deepEqual(readdirSync(files.dir), []);
  });

  it('pages keys from the store in UTF-8 binary order', async () => {
    for (const key of ['\uff5a', '\u{1F600}', 'b', 'A']) {
      await putObject(db, files, { bucket: 'store-bucket', key, body: Buffer.from(key) });
    }
    const first = await listObjectsPage(db, 'store-bucket', { prefix: '', maxKeys: 3 });
    assert.deepEqual(
      first.contents.map((row) => row.key),
      ['A', 'b', '\uff5a'],
    );
    const rest = await listObjectsPage(db, 'store-bucket', {
      prefix: '',
      maxKeys: 3,
      after: first.last,
    });
    assert.deepEqual(
      rest.contents.map((row) => row.key),
      ['\u{1F600}'],
    );
  });

  it('returns NoSuchBucket when putting into a missing bucket', async () => {
    await assert.rejects(
      putObject(db, files, { bucket: 'nope-bucket', key: 'k', body: Buffer.alloc(0) }),
      { code: 'NoSuchBucket' },
    );
  });
});
