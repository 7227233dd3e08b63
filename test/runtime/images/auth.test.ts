import assert from 'node:assert/strict';
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseChallenge } from '../../../src/runtime/images/auth.js';
import { ImageStore, type ImageStoreOptions } from '../../../src/runtime/images/index.js';
import { ManualClock } from '../../../src/util/clock.js';
import { pushBusyboxImage, startRegistry, type TestRegistry } from '../../support/registry.js';
import { rejectsWithKind, removeAll, tempDir } from './helpers.js';
import { startTokenProxy, type TokenProxy } from './token-proxy.js';

const dirs: string[] = [];
after(() => removeAll(dirs));

async function newStore(options: Omit<ImageStoreOptions, 'dir'> = {}): Promise<ImageStore> {
  const dir = await tempDir();
  dirs.push(dir);
  return new ImageStore({ dir, ...options });
}

describe('HTTP Basic auth against a registry with an htpasswd file', () => {
  let registry: TestRegistry;
  const user = { username: 'fedgate', password: 'correct horse' };

  before(async () => {
    registry = await startRegistry({ users: { [user.username]: user.password } });
    await pushBusyboxImage(registry, 'private/busybox');
  });
  after(() => registry.stop());

  it('pulls with the credentials given for the registry host', async () => {
    const store = await newStore({ credentials: { [registry.host]: user } });
    const image = await store.pull(`${registry.host}/private/busybox`);
    assert.equal(await readlink(join(image.rootfs, 'bin/sh')), 'busybox');
  });

  it('asks a credentials function with the registry host', async () => {
    const asked: string[] = [];
    const credentials = (host: string) => (asked.push(host), user);
    const store = await newStore({ credentials });
    await store.pull(`${registry.host}/private/busybox`);
    assert.ok(asked.every((host) => host === registry.host) && asked.length > 0);
  });

  it('pulls with credentials given for one pull only', async () => {
    const store = await newStore();
    const image = await store.pull(`${registry.host}/private/busybox`, { credentials: user });
    assert.equal(await readlink(join(image.rootfs, 'bin/sh')), 'busybox');
  });

  it('returns Unauthorized without credentials', async () => {
    const store = await newStore();
    const ref = `${registry.host}/private/busybox:latest`;
    const message = await rejectsWithKind(store.pull(ref), 'Unauthorized');
    assert.equal(
      message,
      `failed to resolve ref ${ref}: pull access denied, repository does not exist or may ` +
        'require authorization: server message: unauthorized: authentication required',
    );
  });

  it('returns Unauthorized with a wrong password', async () => {
    const wrong = { [registry.host]: { username: user.username, password: 'wrong' } };
    const store = await newStore({ credentials: wrong });
    await rejectsWithKind(store.pull(`${registry.host}/private/busybox`), 'Unauthorized');
  });
});

describe('bearer token challenge flow', () => {
  let registry: TestRegistry;
  const proxies: TokenProxy[] = [];

  before(async () => {
    registry = await startRegistry();
    await pushBusyboxImage(registry, 'team/app', 'v1');
  });
  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await registry.stop();
  });

  async function proxy(options: Parameters<typeof startTokenProxy>[1] = {}) {
    const started = await startTokenProxy(registry, options);
    proxies.push(started);
    return started;
  }

  it('fetches an anonymous token for the pull scope and reuses it until it expires', async () => {
    const front = await proxy({ expiresIn: 60 });
    const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
    const store = await newStore({ clock });
    const ref = `${front.host}/team/app:v1`;

    await store.pull(ref);
    assert.deepEqual(front.tokenRequests, [
      { scope: 'repository:team/app:pull', service: 'fedgate-test-registry' },
    ]);

    clock.advance(59_000);
    await store.pull(ref);
    assert.equal(front.tokenRequests.length, 1, 'the cached token served the second pull');

    clock.advance(2_000);
    await store.pull(ref);
    assert.equal(front.tokenRequests.length, 2, 'an expired token is replaced');
  });

  it('sends the registry credentials to the token endpoint', async () => {
    const credentials = { username: 'robot', password: 's3cret' };
    const front = await proxy({ credentials });
    const store = await newStore({ credentials: { [front.host]: credentials } });

    await store.pull(`${front.host}/team/app:v1`);
    const basic = `Basic ${Buffer.from('robot:s3cret').toString('base64')}`;
    assert.equal(front.tokenRequests[0]?.authorization, basic);
  });

  it("never hands a token fetched with one pull's credentials to a pull without them", async () => {
    const credentials = { username: 'robot', password: 's3cret' };
    const front = await proxy({ credentials });
    const store = await newStore();
    const ref = `${front.host}/team/app:v1`;

    await store.pull(ref, { credentials });
    await rejectsWithKind(store.pull(ref), 'Unauthorized');
    assert.deepEqual(
      front.tokenRequests.map((request) => request.authorization !== undefined),
      [true, false],
    );
  });

  it('shares one token request among concurrent pulls', async () => {
    const front = await proxy();
    const store = await newStore();
    await Promise.all(Array.from({ length: 5 }, () => store.pull(`${front.host}/team/app:v1`)));
    assert.equal(front.tokenRequests.length, 1);
  });

  it('returns Unauthorized when the token endpoint refuses', async () => {
    const front = await proxy({ credentials: { username: 'robot', password: 's3cret' } });
    const store = await newStore();
    const message = await rejectsWithKind(store.pull(`${front.host}/team/app:v1`), 'Unauthorized');
    assert.equal(
      message,
      'failed to authorize: failed to fetch anonymous token: unexpected status from GET request ' +
        `to http://${front.host}/token: 401 Unauthorized`,
    );
  });

  it('follows blob redirects to another origin without sending it the token', async () => {
    const front = await proxy({ redirectBlobs: true });
    const store = await newStore();

    const image = await store.pull(`${front.host}/team/app:v1`);
    assert.equal(await readlink(join(image.rootfs, 'bin/echo')), 'busybox');
    assert.equal(front.storageRequests.length, 2, 'config and layer came from the storage');
    assert.deepEqual(
      front.storageRequests.map((request) => request.authorization),
      [undefined, undefined],
    );
  });
});

describe('parseChallenge', () => {
  it('reads a bearer challenge whose scope holds a comma', () => {
    const challenge = parseChallenge(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",' +
        'scope="repository:team/app:pull,push"',
    );
    assert.deepEqual(challenge, {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scope: 'repository:team/app:pull,push',
      },
    });
  });

  it('reads a basic challenge and ignores unknown schemes', () => {
    assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), {
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    assert.equal(parseChallenge('Negotiate abc'), undefined);
  });
});
