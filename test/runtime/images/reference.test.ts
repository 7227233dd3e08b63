import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidReferenceError, parseImageReference } from '../../../src/runtime/images/index.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseImageReference', () => {
  const accepted: [string, string, string, string, string][] = [
    // input, registry, repository, reference, canonical
    [
      'busybox',
      'registry-1.docker.io',
      'library/busybox',
      'latest',
      'docker.io/library/busybox:latest',
    ],
    [
      'busybox:1.36',
      'registry-1.docker.io',
      'library/busybox',
      '1.36',
      'docker.io/library/busybox:1.36',
    ],
    [
      'library/busybox',
      'registry-1.docker.io',
      'library/busybox',
      'latest',
      'docker.io/library/busybox:latest',
    ],
    [
      'docker.io/busybox',
      'registry-1.docker.io',
      'library/busybox',
      'latest',
      'docker.io/library/busybox:latest',
    ],
    [
      'index.docker.io/team/app:v2',
      'registry-1.docker.io',
      'team/app',
      'v2',
      'docker.io/team/app:v2',
    ],
    [
      '127.0.0.1:5000/team/app:tag',
      '127.0.0.1:5000',
      'team/app',
      'tag',
      '127.0.0.1:5000/team/app:tag',
    ],
    ['localhost/app', 'localhost', 'app', 'latest', 'localhost/app:latest'],
    ['localhost:5000/a/b/c', 'localhost:5000', 'a/b/c', 'latest', 'localhost:5000/a/b/c:latest'],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', '[::1]:5000/app:1'],
    [
      `registry.example.com/app@${DIGEST}`,
      'registry.example.com',
      'app',
      DIGEST,
      `registry.example.com/app@${DIGEST}`,
    ],
    [
      `app:v1@${DIGEST}`,
      'registry-1.docker.io',
      'library/app',
      DIGEST,
      `docker.io/library/app:v1@${DIGEST}`,
    ],
    [
      'my-registry.local/team_a/app.name__x:1.0-rc_1',
      'my-registry.local',
      'team_a/app.name__x',
      '1.0-rc_1',
      'my-registry.local/team_a/app.name__x:1.0-rc_1',
    ],
    [
      '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app:prod',
      '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com',
      'app',
      'prod',
      '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app:prod',
    ],
  ];

  for (const [input, registry, repository, reference, canonical] of accepted) {
    it(`reads ${input}`, () => {
      const parsed = parseImageReference(input);
      assert.deepEqual(
        [parsed.registry, parsed.repository, parsed.reference, parsed.canonical],
        [registry, repository, reference, canonical],
      );
    });
  }

  it('keeps the tag beside a digest, and the digest wins', () => {
    const parsed = parseImageReference(`app:v1@${DIGEST}`);
    assert.equal(parsed.tag, 'v1');
    assert.equal(parsed.digest, DIGEST);
    assert.equal(parsed.reference, DIGEST);
  });

  const refused: [string, string][] = [
    ['', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-bad', 'invalid reference format'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
    ['bad host!/app', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['app-/x', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format: invalid checksum digest length'],
    [`busybox@md5:${'a'.repeat(32)}`, 'invalid reference format: unsupported digest algorithm'],
    [
      `busybox@sha256:${'AB'.repeat(32)}`,
      'invalid reference format: invalid checksum digest format',
    ],
    [
      `r.io/${'a'.repeat(255)}`,
      'invalid reference format: repository name must not be more than 255 characters',
    ],
    ['busybox latest', 'invalid reference format'],
  ];

  for (const [input, message] of refused) {
    it(`refuses ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`, () => {
      assert.throws(
        () => parseImageReference(input),
        (err: unknown) => err instanceof InvalidReferenceError && err.message === message,
      );
    });
  }
});
