import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveUser, type ContainerUser } from '../../src/runtime/container-user.js';
import { readFileInRoot } from '../../src/runtime/image-paths.js';

const dirs: string[] = [];

async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-container-user-'));
  dirs.push(dir);
  return dir;
}

after(() => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))));

describe('resolveUser', () => {
  let rootfs: string;

  before(async () => {
    rootfs = await tempRoot();
    await mkdir(join(rootfs, 'etc'));
    await writeFile(
      join(rootfs, 'etc/passwd.real'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n# comment\n' +
        'nohome:x:1001:1001:::/bin/sh\n',
    );
    // An absolute link resolves inside the rootfs, never on the host.
    await symlink('/etc/passwd.real', join(rootfs, 'etc/passwd'));
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app,other\n');
  });

  const cases: [string | undefined, ContainerUser][] = [
    [undefined, { uid: 0, gid: 0, groups: [], home: '/root' }],
    ['', { uid: 0, gid: 0, groups: [], home: '/root' }],
    ['app', { uid: 1000, gid: 1000, groups: [50], home: '/home/app' }],
    ['1000', { uid: 1000, gid: 1000, groups: [50], home: '/home/app' }],
    ['4242', { uid: 4242, gid: 0, groups: [], home: '/' }],
    ['app:staff', { uid: 1000, gid: 50, groups: [], home: '/home/app' }],
    ['4242:77', { uid: 4242, gid: 77, groups: [], home: '/' }],
    ['nohome', { uid: 1001, gid: 1001, groups: [], home: '/' }],
  ];
  for (const [spec, expected] of cases) {
    it(`resolves ${JSON.stringify(spec)}`, async () => {
      assert.deepEqual(await resolveUser(rootfs, spec), expected);
    });
  }

  it("fails with runc's wording for an unknown user or group", async () => {
    await assert.rejects(resolveUser(rootfs, 'nobody'), {
      name: 'ContainerStartError',
      message: 'unable to find user nobody: no matching entries in passwd file',
    });
    await assert.rejects(resolveUser(rootfs, 'app:wheel'), {
      name: 'ContainerStartError',
      message: 'unable to find group wheel: no matching entries in group file',
    });
  });

  for (const spec of [':staff', 'app:', 'app:staff:x', '::']) {
    it(`rejects the malformed user ${JSON.stringify(spec)}`, async () => {
      await assert.rejects(resolveUser(rootfs, spec), {
        name: 'ContainerStartError',
        message: `invalid user '${spec}': expected user, user:group, uid or uid:gid`,
      });
    });
  }

  it('resolves an image without passwd or group files: numeric ids only, home /', async () => {
    const bare = await tempRoot();

    assert.deepEqual(await resolveUser(bare, undefined), { uid: 0, gid: 0, groups: [], home: '/' });
    assert.deepEqual(await resolveUser(bare, '7:8'), { uid: 7, gid: 8, groups: [], home: '/' });
    await assert.rejects(resolveUser(bare, 'root'), /unable to find user root/);
  });

  it('never reads the host passwd file through a link that climbs out', async () => {
    const escaping = await tempRoot();
    await mkdir(join(escaping, 'etc'));
    await symlink('../../../../../../etc/passwd', join(escaping, 'etc/passwd'));

    // The host has root in its /etc/passwd; the image has no passwd file at all.
    await assert.rejects(resolveUser(escaping, 'root'), /unable to find user root/);
    assert.equal((await resolveUser(escaping, undefined)).home, '/');
  });
});

describe('readFileInRoot', () => {
  let root: string;

  before(async () => {
    root = await tempRoot();
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'usr/lib/os-release'), 'ID=test\n');
    await symlink('../usr/lib/os-release', join(root, 'etc/os-release'));
    await symlink('/usr/lib', join(root, 'lib'));
    await symlink('loop-b', join(root, 'etc/loop-a'));
    await symlink('loop-a', join(root, 'etc/loop-b'));
    await symlink('/', join(root, 'etc/top'));
  });

  it('reads a regular file, following links as the container would', async () => {
    assert.equal(await readFileInRoot(root, '/usr/lib/os-release'), 'ID=test\n');
    assert.equal(await readFileInRoot(root, '/etc/os-release'), 'ID=test\n');
    assert.equal(await readFileInRoot(root, '/lib/os-release'), 'ID=test\n');
    assert.equal(await readFileInRoot(root, '/etc/top/../../usr/lib/os-release'), 'ID=test\n');
  });

  it('answers undefined for a missing file, a directory and a link loop', async () => {
    assert.equal(await readFileInRoot(root, '/etc/missing'), undefined);
    assert.equal(await readFileInRoot(root, '/usr/lib/os-release/x'), undefined);
    assert.equal(await readFileInRoot(root, '/etc'), undefined);
    assert.equal(await readFileInRoot(root, '/etc/loop-a'), undefined);
  });
});
