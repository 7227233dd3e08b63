import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerProcess,
  DEFAULT_PATH,
  ImagePullError,
  parseImageConfig,
  type ContainerConfig,
} from '../../../src/runtime/images/index.js';

const config = (members: Record<string, unknown>) =>
  parseImageConfig(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: members,
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    ),
  ).config;

describe('parseImageConfig', () => {
  it('reads the execution defaults with their OCI names', () => {
    const parsed = parseImageConfig(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          created: '2026-01-01T00:00:00Z',
          config: {
            User: 'app',
            Env: ['PATH=/bin', 'A=1'],
            Entrypoint: ['/entry.sh'],
            Cmd: ['serve'],
            WorkingDir: '/srv',
            ExposedPorts: { '80/tcp': {} },
            Volumes: { '/data': {} },
            Labels: { team: 'fedgate' },
            StopSignal: 'SIGQUIT',
          },
          rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] },
        }),
      ),
    );
    assert.deepEqual(parsed.config, {
      User: 'app',
      Env: ['PATH=/bin', 'A=1'],
      Entrypoint: ['/entry.sh'],
      Cmd: ['serve'],
      WorkingDir: '/srv',
      ExposedPorts: ['80/tcp'],
      Volumes: ['/data'],
      Labels: { team: 'fedgate' },
      StopSignal: 'SIGQUIT',
    });
    assert.equal(parsed.created, '2026-01-01T00:00:00Z');
    assert.equal(parsed.rootfs.diff_ids.length, 1);
  });

  it('reads missing and null members as empty', () => {
    assert.deepEqual(config({ Entrypoint: null }), {
      User: '',
      Env: [],
      Entrypoint: [],
      Cmd: [],
      WorkingDir: '',
      ExposedPorts: [],
      Volumes: [],
      Labels: {},
    });
  });

  it('returns InvalidImage for a member of the wrong type', () => {
    assert.throws(
      () => config({ Cmd: 'sh -c true' }),
      (err: unknown) => err instanceof ImagePullError && err.kind === 'InvalidImage',
    );
  });
});

describe('containerProcess', () => {
  const image: ContainerConfig = config({
    Env: ['PATH=/usr/bin:/bin', 'MODE=image'],
    Entrypoint: ['/entry.sh'],
    Cmd: ['serve', '--port', '80'],
    WorkingDir: '/srv',
    User: 'app',
  });

  it('runs the image Entrypoint with its Cmd by default', () => {
    assert.deepEqual(containerProcess(image), {
      args: ['/entry.sh', 'serve', '--port', '80'],
      env: ['PATH=/usr/bin:/bin', 'MODE=image'],
      cwd: '/srv',
      user: 'app',
    });
  });

  it('replaces Cmd with command and keeps the Entrypoint', () => {
    assert.deepEqual(containerProcess(image, { command: ['migrate'] }).args, [
      '/entry.sh',
      'migrate',
    ]);
  });

  it('drops the image Cmd when entryPoint is overridden, as Docker does', () => {
    assert.deepEqual(containerProcess(image, { entryPoint: ['sh', '-c'] }).args, ['sh', '-c']);
    const both = containerProcess(image, { entryPoint: ['sh', '-c'], command: ['echo hi'] });
    assert.deepEqual(both.args, ['sh', '-c', 'echo hi']);
  });

  it('overrides environment by name, and gives a PATH when the image has none', () => {
    const process = containerProcess(image, { environment: { MODE: 'task', EXTRA: '1' } });
    assert.deepEqual(process.env, ['PATH=/usr/bin:/bin', 'MODE=task', 'EXTRA=1']);
    assert.deepEqual(containerProcess(config({})).env, [`PATH=${DEFAULT_PATH}`]);
  });

  it('takes workingDirectory and user from the container definition, / and root otherwise', () => {
    const overridden = containerProcess(image, { workingDirectory: '/tmp', user: '1000:1000' });
    assert.deepEqual([overridden.cwd, overridden.user], ['/tmp', '1000:1000']);
    const bare = containerProcess(config({}));
    assert.deepEqual([bare.cwd, bare.user, bare.args], ['/', '', []]);
  });
});
