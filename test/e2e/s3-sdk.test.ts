import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { createTestAccount } from '../support/fedgate-cli.js';
import {
  errorCode,
  s3Call,
  sendRaw,
  signedChunks,
  signedChunksLength,
  signS3,
  xmlValue,
  xmlValues,
  type S3Call,
} from '../support/s3-requests.js';

const REGION = 'us-gov-west-1';
const CREATE_IN_REGION = `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`;

describe('S3 over signed REST-XML requests (the SDK signer)', () => {
  let server: TestServer;
  const call = (c: S3Call) => s3Call(server.url, server.root, c);
  const createBucket = (name: string) =>
    call({ method: 'PUT', path: `/${name}`, body: CREATE_IN_REGION });
  const stillServing = async () => {
    const answer = await call({ method: 'GET', path: '/' });
    assert.equal(answer.status, 200, answer.text);
  };

  before(async () => {
    server = await startTestServer();
    assert.equal((await createBucket('sdk-bucket')).status, 200);
  });
  after(() => server.stop());

  it('stores bytes with metadata and content type and answers them back', async () => {
    const body = randomBytes(4096);
    const put = await call({
      method: 'PUT',
      path: '/sdk-bucket/dir/blob.bin',
      body,
      headers: {
        'content-type': 'application/x-test',
        'content-encoding': 'identity',
        'x-amz-meta-color': 'blue',
      },
    });
    assert.equal(put.status, 200, put.text);
    assert.match(String(put.headers.etag), /^"[0-9a-f]{32}"$/);
    assert.ok(put.headers['x-amz-request-id']);
    assert.ok(put.headers['x-amz-id-2']);

    const got = await call({ method: 'GET', path: '/sdk-bucket/dir/blob.bin' });
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(body));
    assert.equal(got.headers['content-type'], 'application/x-test');
    assert.equal(got.headers['content-encoding'], 'identity');
    assert.equal(got.headers['x-amz-meta-color'], 'blue');
    assert.equal(got.headers.etag, put.headers.etag);
    assert.equal(got.headers['accept-ranges'], 'bytes');
    assert.ok(got.headers['last-modified']);

    const head = await call({ method: 'HEAD', path: '/sdk-bucket/dir/blob.bin' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '4096');
    assert.equal(head.body.length, 0);
  });

  it('routes virtual-hosted requests by their Host header', async () => {
    const port = new URL(server.url).port;
    const host = `vhost-bucket.s3.${REGION}.amazonaws.com`;
    assert.equal(
      (await call({ method: 'PUT', path: '/', host, body: CREATE_IN_REGION })).status,
      200,
    );
    const put = await call({ method: 'PUT', path: '/a%20key.txt', host, body: 'virtual' });
    assert.equal(put.status, 200, put.text);

    const byPath = await call({ method: 'GET', path: '/vhost-bucket/a%20key.txt' });
    assert.equal(byPath.text, 'virtual');
    for (const alias of [`vhost-bucket.localhost:${port}`, `vhost-bucket.s3.localhost:${port}`]) {
      const got = await call({ method: 'GET', path: '/a%20key.txt', host: alias });
      assert.equal(got.text, 'virtual', alias);
    }
    const location = await call({ method: 'GET', path: '/', host, query: { location: '' } });
    assert.equal(xmlValue(location.text, 'LocationConstraint'), undefined);
    assert.match(location.text, new RegExp(`>${REGION}</LocationConstraint>`));
  });

  it('answers byte ranges with 206 and Content-Range', async () => {
    await call({ method: 'PUT', path: '/sdk-bucket/range.txt', body: '0123456789' });
    const cases: [string, string, string][] = [
      ['bytes=0-4', '01234', 'bytes 0-4/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=5-100', '56789', 'bytes 5-9/10'],
    ];
    for (const [range, text, contentRange] of cases) {
      const got = await call({ method: 'GET', path: '/sdk-bucket/range.txt', headers: { range } });
      assert.equal(got.status, 206, range);
      assert.equal(got.text, text, range);
      assert.equal(got.headers['content-range'], contentRange, range);
    }
  });

  it('returns InvalidRange when the range starts past the end', async () => {
    const got = await call({
      method: 'GET',
      path: '/sdk-bucket/range.txt',
      headers: { range: 'bytes=10-20' },
    });
    assert.equal(got.status, 416);
    assert.equal(errorCode(got), 'InvalidRange');
  });

  it('pages ListObjectsV2 with continuation tokens in UTF-8 binary order', async () => {
    assert.equal((await createBucket('paging-bucket')).status, 200);
    const keys = ['Z', 'a', 'b/1', 'b/2', 'é', '~', '\u{1F600}', 'ｚ', ...range(20, 'k')];
    for (const key of keys) {
      const path = `/paging-bucket/${encodeURIComponent(key)}`;
      assert.equal((await call({ method: 'PUT', path, body: key })).status, 200);
    }

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query: Record<string, string> = { 'list-type': '2', 'max-keys': '10' };
      if (token) query['continuation-token'] = token;
      const page = await call({ method: 'GET', path: '/paging-bucket', query });
      assert.equal(page.status, 200, page.text);
      const pageKeys = xmlValues(page.text, 'Key');
      assert.equal(Number(xmlValue(page.text, 'KeyCount')), pageKeys.length);
      seen.push(...pageKeys);
      token = xmlValue(page.text, 'NextContinuationToken');
      pages += 1;
    } while (token);

    const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(seen, expected);
    assert.equal(pages, 3);

    const rolled = await call({
      method: 'GET',
      path: '/paging-bucket',
      query: { 'list-type': '2', delimiter: '/', 'start-after': 'a' },
    });
    assert.deepEqual(xmlValues(rolled.text, 'Prefix').slice(1), ['b/']);
  });

  it('accepts a signed aws-chunked upload and checks every chunk signature', async () => {
    const data = randomBytes(150 * 1024);
    const chunk = 64 * 1024;
    const date = new Date();
    const headers = {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'content-length': String(signedChunksLength(data.length, chunk)),
    };
    const signing = {
      method: 'PUT',
      path: '/sdk-bucket/chunked.bin',
      headers,
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      signingDate: date,
    };
    const signed = await signS3(server.url, server.root, signing);
    const signature = /Signature=([0-9a-f]{64})/.exec(signed.authorization ?? '')?.[1] ?? '';
    const seed = { signature, secret: server.root.secretAccessKey, date, region: REGION };
    const body = signedChunks(data, chunk, seed);

    const put = await sendRaw(server.url, 'PUT', signing.path, signed, body);
    assert.equal(put.status, 200, put.text);
    const got = await call({ method: 'GET', path: signing.path });
    assert.ok(got.body.equals(data));
    assert.equal(got.headers['content-encoding'], undefined);
  });

  it('returns SignatureDoesNotMatch when a chunk signature is tampered with', async () => {
    const data = Buffer.from('x'.repeat(1000));
    const date = new Date();
    const headers = {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'content-length': String(signedChunksLength(data.length, 512)),
    };
    const signing = {
      method: 'PUT',
      path: '/sdk-bucket/tampered.bin',
      headers,
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      signingDate: date,
    };
    const signed = await signS3(server.url, server.root, signing);
    const signature = /Signature=([0-9a-f]{64})/.exec(signed.authorization ?? '')?.[1] ?? '';
    const seed = { signature, secret: server.root.secretAccessKey, date, region: REGION };
    const body = signedChunks(data, 512, seed);
    const at = body.length - 20; // a hex digit of the final chunk's signature
    body[at] = body[at] === 0x30 ? 0x31 : 0x30;

    const put = await sendRaw(server.url, 'PUT', signing.path, signed, body);
    assert.equal(put.status, 403, put.text);
    assert.equal(errorCode(put), 'SignatureDoesNotMatch');
    const missing = await call({ method: 'HEAD', path: signing.path });
    assert.equal(missing.status, 404);
    await stillServing();
  });

  it('decodes an unsigned trailer upload and checks its CRC32', async () => {
    const data = Buffer.from('trailer checked content');
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(data) >>> 0);
    const trailerBody = (sum: string) =>
      Buffer.concat([
        Buffer.from(`${data.length.toString(16)}\r\n`),
        data,
        Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${sum}\r\n\r\n`),
      ]);
    const upload = (sum: string) =>
      call({
        method: 'PUT',
        path: '/sdk-bucket/trailer.txt',
        payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(data.length),
          'x-amz-trailer': 'x-amz-checksum-crc32',
        },
        body: trailerBody(sum),
      });

    const good = await upload(checksum.toString('base64'));
    assert.equal(good.status, 200, good.text);
    assert.equal(
      (await call({ method: 'GET', path: '/sdk-bucket/trailer.txt' })).text,
      data.toString(),
    );

    const bad = await upload('AAAAAA==');
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'BadDigest');
    await stillServing();
  });

  it('returns AccessDenied when another account touches the bucket', async () => {
    const other = await createTestAccount(server.dataDir);
    const credentials = { accessKeyId: other.AccessKeyId, secretAccessKey: other.SecretAccessKey };
    const denied = await s3Call(server.url, credentials, {
      method: 'GET',
      path: '/sdk-bucket/range.txt',
    });
    assert.equal(denied.status, 403);
    assert.equal(errorCode(denied), 'AccessDenied');

    const taken = await s3Call(server.url, credentials, {
      method: 'PUT',
      path: '/sdk-bucket',
      body: CREATE_IN_REGION,
    });
    assert.equal(errorCode(taken), 'BucketAlreadyExists');
    const mine = await s3Call(server.url, credentials, { method: 'GET', path: '/' });
    assert.deepEqual(xmlValues(mine.text, 'Name'), []);
  });

  it('returns NoSuchBucket in S3 XML with the bucket name and request id', async () => {
    const answer = await call({ method: 'GET', path: '/no-such-bucket-1' });
    assert.equal(answer.status, 404);
    assert.equal(errorCode(answer), 'NoSuchBucket');
    assert.equal(xmlValue(answer.text, 'Message'), 'The specified bucket does not exist');
    assert.equal(xmlValue(answer.text, 'BucketName'), 'no-such-bucket-1');
    assert.equal(xmlValue(answer.text, 'RequestId'), answer.headers['x-amz-request-id']);
  });

  it('returns BucketAlreadyOwnedByYou and InvalidBucketName on create', async () => {
    assert.equal(errorCode(await createBucket('sdk-bucket')), 'BucketAlreadyOwnedByYou');
    assert.equal(errorCode(await createBucket('Bad_Name')), 'InvalidBucketName');
    const unspecified = await call({ method: 'PUT', path: '/no-constraint-bucket' });
    assert.equal(errorCode(unspecified), 'IllegalLocationConstraintException');
  });

  it('returns AccessDenied, InvalidAccessKeyId and SignatureDoesNotMatch for bad auth', async () => {
    const unsigned = await sendRaw(server.url, 'GET', '/sdk-bucket', {});
    assert.equal(unsigned.status, 403);
    assert.equal(errorCode(unsigned), 'AccessDenied');

    const unknown = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) };
    const badKey = await s3Call(server.url, unknown, { method: 'GET', path: '/' });
    assert.equal(badKey.status, 403);
    assert.equal(errorCode(badKey), 'InvalidAccessKeyId');

    const wrong = { accessKeyId: server.root.accessKeyId, secretAccessKey: 'y'.repeat(40) };
    const badSig = await s3Call(server.url, wrong, { method: 'GET', path: '/' });
    assert.equal(badSig.status, 403);
    assert.equal(errorCode(badSig), 'SignatureDoesNotMatch');
    await stillServing();
  });

  it('serves a presigned GET URL', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({
      credentials: server.root,
      region: REGION,
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: '/sdk-bucket/range.txt',
        query: {},
        // As the SDK's S3 presigner does: the payload is unsigned, its hash hoisted to the query.
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>);
    const got = await fetch(`${server.url}/sdk-bucket/range.txt?${query}`);
    assert.equal(got.status, 200, `${query} ${await got.clone().text()}`);
    assert.equal(await got.text(), '0123456789');
  });

  it('never answers 5xx to 200 random paths, queries and headers', async () => {
    const methods = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
    const pieces = ['sdk-bucket', 'x', '%00', '%ZZ', '..', '', 'a%2Fb', '\u00e9', '?', 'uploads'];
    const params = [
      'list-type=2',
      'location',
      'policy',
      'uploads',
      'uploadId=zz',
      'partNumber=0',
      'max-keys=-1',
      'max-keys=abc',
      'encoding-type=bogus',
      'continuation-token=%%%',
      'acl',
      'delete',
      'tagging',
      'versionId=1',
      'prefix=%FF',
    ];
    const headerPool: Record<string, string>[] = [
      { range: 'bytes=abc' },
      { range: 'bytes=5-1' },
      { 'content-md5': 'nope' },
      { 'x-amz-checksum-crc32': '!!' },
      { 'if-match': '"x"' },
      { 'content-type': 'application/xml' },
      {},
    ];
    let seed = 20260301;
    // A fixed-seed generator, so that a failure replays the same requests.
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
    for (let i = 0; i < 200; i += 1) {
      const depth = Math.floor(random() * 4);
      const path = '/' + Array.from({ length: depth }, () => encodeURI(pick(pieces))).join('/');
      const query = Object.fromEntries(
        Array.from({ length: Math.floor(random() * 3) }, () => pick(params).split('=')),
      ) as Record<string, string>;
      const body = random() < 0.3 ? '<CompleteMultipartUpload><Part>' : '';
      const answer = await call({
        method: pick(methods),
        path,
        query,
        headers: pick(headerPool),
        body,
      }).catch(() => undefined);
      // Operations not built yet answer 501 NotImplemented by design.
      const fine = !answer || answer.status < 500 || errorCode(answer) === 'NotImplemented';
      assert.ok(fine, `${path} ${JSON.stringify(query)}: ${answer?.text ?? ''}`);
    }
    await stillServing();
  });
});

function range(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
}
