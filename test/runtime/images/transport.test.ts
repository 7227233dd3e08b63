import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ImageStore } from '../../../src/runtime/images/index.js';
import { RegistryTransport } from '../../../src/runtime/images/transport.js';
import { countingFetch, rejectsWithKind, removeAll, tempDir } from './helpers.js';

describe('RegistryTransport.origin', () => {
  const transport = new RegistryTransport({
    insecureRegistries: ['registry.internal:5000', 'lab'],
  });

  const cases: [string, string][] = [
    ['registry-1.docker.io', 'https://registry-1.docker.io'],
    ['registry.example.com:5000', 'https://registry.example.com:5000'],
    ['127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['127.4.5.6', 'http://127.4.5.6'],
    ['localhost:5000', 'http://localhost:5000'],
    ['[::1]:5000', 'http://[::1]:5000'],
    ['registry.internal:5000', 'http://registry.internal:5000'],
    ['registry.internal:5001', 'https://registry.internal:5001'],
    ['lab:8080', 'http://lab:8080'],
  ];
  for (const [registry, origin] of cases) {
    it(`speaks ${origin.split(':')[0]} to ${registry}`, () => {
      assert.equal(transport.origin(registry), origin);
    });
  }
});

describe('bearer challenges that would leak credentials', () => {
  let server: Server;
  let host: string;
  const dirs: string[] = [];

  before(async () => {
    // A registry whose challenge sends clients to a plain-HTTP token server elsewhere.
    server = createServer((_req, res) => {
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="registry"',
      });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await removeAll(dirs);
  });

  it('returns Unauthorized without sending anything to a token realm that is not HTTPS', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const counter = countingFetch();
    const credentials = { [host]: { username: 'u', password: 'p' } };
    const store = new ImageStore({ dir, fetch: counter.fetch, credentials });

    const message = await rejectsWithKind(store.pull(`${host}/app`), 'Unauthorized');
    assert.equal(message, 'failed to authorize: token realm http://auth.example.com is not HTTPS');
    assert.deepEqual(counter.paths, ['/v2/app/manifests/latest']);
  });
});
