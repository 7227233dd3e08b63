import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readRegistryAuthFile } from '../../../src/runtime/images/auth-file.js';

describe('readRegistryAuthFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: string) => {
    const file = join(dir, `config-${Math.random()}.json`);
    writeFileSync(file, content);
    return file;
  };

  it('reads base64 auth entries and username/password entries by registry host', () => {
    const file = write(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:se:cret').toString('base64') },
          'https://registry.example.com/v2/': { username: 'ci', password: 'token' },
          '127.0.0.1:5000': { auth: Buffer.from('local:pw').toString('base64') },
          'broken.example.com': { auth: Buffer.from('no-colon').toString('base64') },
        },
      }),
    );
    assert.deepEqual(readRegistryAuthFile(file), {
      'registry-1.docker.io': { username: 'hub', password: 'se:cret' },
      'registry.example.com': { username: 'ci', password: 'token' },
      '127.0.0.1:5000': { username: 'local', password: 'pw' },
    });
  });

  it('fails with the file name when the file is not a Docker config', () => {
    assert.throws(() => readRegistryAuthFile(write('{"credHelpers":{}}')), /has no "auths"/);
    assert.throws(
      () => readRegistryAuthFile(write('not json')),
      /cannot read registry credentials/,
    );
    assert.throws(() => readRegistryAuthFile(join(dir, 'missing.json')), /cannot read/);
  });
});
