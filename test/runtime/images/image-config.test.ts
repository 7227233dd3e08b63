import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  containerProcess,
  DEFAULT_PATH,
  ImagePullError,
  parseImageConfig,
  resolveUser,
  type ContainerConfig,
} from '../../../src/runtime/images/index.js';
import { removeAll, tempDir } from './helpers.js';

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

describe('resolveUser', () => {
  const dirs: string[] = [];
  let rootfs: string;

  before(async () => {
    rootfs = await tempDir();
    dirs.push(rootfs);
    await mkdir(join(rootfs, 'etc'));
    await writeFile(
      join(rootfs, 'etc/passwd.real'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n# comment\n',
    );
    // An absolute link resolves inside the rootfs, never on the host.
    await symlink('/etc/passwd.real', join(rootfs, 'etc/passwd'));
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app,other\n');
  });
  after(() => removeAll(dirs));

  const cases: [string, { uid: number; gid: number; additionalGids: number[]; home: string }][] = [
    ['', { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['app', { uid: 1000, gid: 1000, additionalGids: [50], home: '/home/app' }],
    ['1000', { uid: 1000, gid: 1000, additionalGids: [50], home: '/home/app' }],
    ['4242', { uid: 4242, gid: 0, additionalGids: [], home: '/' }],
    ['app:staff', { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' }],
    ['4242:77', { uid: 4242, gid: 77, additionalGids: [], home: '/' }],
  ];
  for (const [spec, expected] of cases) {
    it(`resolves ${JSON.stringify(spec)}`, async () => {
      assert.deepEqual(await resolveUser(rootfs, spec), expected);
    });
  }

  it("fails with runc's wording for an unknown user or group", async () => {
    await assert.rejects(resolveUser(rootfs, 'nobody'), {
      message: 'unable to find user nobody: no matching entries in passwd file',
    });
    await assert.rejects(resolveUser(rootfs, 'app:wheel'), {
      message: 'unable to find group wheel: no matching entries in group file',
    });
  });

  it('never reads the host passwd file through a link that climbs out', async () => {
    const escaping = await tempDir();
    dirs.push(escaping);
    await mkdir(join(escaping, 'etc'));
    await symlink('../../../../../../etc/passwd', join(escaping, 'etc/passwd'));

    // The host has root in its /etc/passwd; the image has no passwd file at all.
    await assert.rejects(resolveUser(escaping, 'root'), /unable to find user root/);
  });
});
