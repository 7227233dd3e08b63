import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BwrapDriver, DEFAULT_PATH, enterCommand } from '../../src/runtime/bwrap-driver.js';
import { LOG_FILES, readLogs, type LogEvent } from '../../src/runtime/container-logs.js';
import type { ContainerExit, ContainerSpec, RunningContainer } from '../../src/runtime/driver.js';
import { makeBusyboxRootfs, type BusyboxRootfs } from '../support/busybox-rootfs.js';

describe('BwrapDriver', () => {
  const driver = new BwrapDriver();
  let image: BusyboxRootfs;
  let scratch: string;
  let serial = 0;

  before(() => {
    image = makeBusyboxRootfs();
    const staffNote = join(image.dir, 'etc', 'staff-note');
    writeFileSync(staffNote, 'for staff\n', { mode: 0o640 });
    chownSync(staffNote, 0, 50);
    scratch = mkdtempSync(join(tmpdir(), 'fedgate-runtime-test-'));
  });
  after(() => {
    image.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A container spec over the busybox image, with its own log directory. */
  function spec(command: string[], overrides: Partial<ContainerSpec> = {}): ContainerSpec {
    const id = `c${++serial}-${process.pid}`;
    return {
      id,
      rootfs: image.dir,
      command,
      env: { PATH: '/bin' },
      hostname: 'task-host',
      fipsEnabled: false,
      logDir: join(scratch, id),
      ...overrides,
    };
  }

  /** Runs a container to its end and answers how it ended and what it printed. */
  async function run(command: string[], overrides: Partial<ContainerSpec> = {}) {
    const container = await driver.start(spec(command, overrides));
    const exit = await container.exited;
    return { exit, ...readOutput(join(scratch, container.id)) };
  }

  function readOutput(logDir: string) {
    const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
    const events = read(LOG_FILES.events)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEvent);
    return { stdout: read(LOG_FILES.stdout), stderr: read(LOG_FILES.stderr), events };
  }

  const sh = (script: string) => ['sh', '-c', script];
  const ok: ContainerExit = { exitCode: 0, signal: null };

  it('reports that this host supports containers', async () => {
    const support = await driver.check();

    assert.deepEqual(support.problems, []);
    assert.deepEqual(support.missing, []);
    assert.equal(support.supported, true);
    assert.equal(support.runtime?.name, 'bwrap');
    assert.match(support.runtime?.version ?? '', /^\d+\.\d+/);
    assert.deepEqual(
      [support.namespaces, support.fipsFile, support.userSwitching, support.exec],
      [true, true, true, true],
    );
  });

  it('captures stdout and stderr in their own logs and in events.log', async () => {
    const result = await run(sh('echo out; echo err >&2; printf partial'));

    assert.deepEqual(result.exit, ok);
    assert.equal(result.stdout, 'out\npartial');
    assert.equal(result.stderr, 'err\n');

    const lines = result.events.map(({ stream, line }) => `${stream}:${line}`).sort();
    assert.deepEqual(lines, ['stderr:err', 'stdout:out', 'stdout:partial']);
    for (const event of result.events) assert.equal(new Date(event.t).toISOString(), event.t);
  });

  it('gives the container real pipes, so /dev/stdout can be opened', async () => {
    const result = await run(sh('echo via-path > /dev/stdout && echo via-path-err > /dev/stderr'));

    assert.equal(result.stdout, 'via-path\n');
    assert.equal(result.stderr, 'via-path-err\n');
  });

  it("propagates the command's exit code", async () => {
    const { exit } = await run(sh('exit 3'));

    assert.deepEqual(exit, { exitCode: 3, signal: null });
  });

  it('sets exactly the environment given, HOME from the image, and bwrap adds PWD', async () => {
    const { stdout } = await run(['env'], { env: { PATH: '/bin', GREETING: 'hello world' } });

    assert.deepEqual(stdout.trim().split('\n').sort(), [
      'GREETING=hello world',
      'HOME=/root',
      'PATH=/bin',
      'PWD=/',
    ]);
  });

  it("sets HOME to the user's home directory, / without one, unless the task sets it", async () => {
    const home = ['sh', '-c', 'echo "$HOME"'];
    const homes = [
      await run(home, { user: 'app' }),
      await run(home, { user: '1000:50' }),
      await run(home, { user: '1234' }),
      await run(home, { user: 'app', env: { PATH: '/bin', HOME: '/srv' } }),
    ];

    assert.deepEqual(
      homes.map((result) => result.stdout),
      ['/home/app\n', '/home/app\n', '/\n', '/srv\n'],
    );
  });

  it("keeps the environment out of the host's process list", async () => {
    const env = { PATH: '/bin', DB_PASSWORD: 'hunter2-secret' };
    const container = await driver.start(spec(['sleep', '1000'], { env }));
    try {
      const cmdline = readFileSync(`/proc/${container.pid}/cmdline`, 'utf8');
      assert.match(cmdline, /sleep\x001000/);
      assert.doesNotMatch(cmdline, /hunter2/);
    } finally {
      await container.stop(0);
    }
  });

  it('starts in the working directory, and makes a writable one the image lacks', async () => {
    const existing = await run(['pwd'], { workingDirectory: '/etc' });
    assert.equal(existing.stdout, '/etc\n');

    const missing = await run(sh('pwd && touch made-here && ls'), { workingDirectory: '/app' });
    assert.deepEqual(missing.exit, ok);
    assert.equal(missing.stdout, '/app\nmade-here\n');
    assert.equal(existsSync(join(image.dir, 'app')), false, 'the image is never written');
  });

  it('sets the hostname', async () => {
    const { stdout } = await run(sh('hostname; cat /proc/sys/kernel/hostname'), {
      hostname: 'web-1',
    });

    assert.equal(stdout, 'web-1\nweb-1\n');
  });

  it('runs the command in its own pid namespace, under an init that is pid 1', async () => {
    const shell = await run(sh('echo $$; cat /proc/1/comm'));
    assert.equal(shell.stdout, '2\nbwrap\n');

    const { stdout } = await run(['ls', '/proc']);
    assert.deepEqual(
      stdout.split(/\s+/).filter((name) => /^\d+$/.test(name)),
      ['1', '2'],
    );
  });

  for (const [fipsEnabled, expected] of [
    [true, '1\n'],
    [false, '0\n'],
  ] as const) {
    it(`reads ${expected.trim()} from fips_enabled with fipsEnabled ${fipsEnabled}`, async () => {
      const { stdout } = await run(['cat', '/proc/sys/crypto/fips_enabled'], { fipsEnabled });

      assert.equal(stdout, expected);
    });
  }

  it('keeps the rest of /proc/sys readable and all of it read-only', async () => {
    const script =
      'cat /proc/sys/kernel/ostype; echo 0 > /proc/sys/crypto/fips_enabled || echo refused';
    const { stdout } = await run(sh(script), { fipsEnabled: true });

    assert.equal(stdout, 'Linux\nrefused\n');
  });

  it('mounts the image read-only and gives the container a writable /tmp', async () => {
    const script = [
      'touch /written || echo root-refused',
      'touch /bin/x || echo bin-refused',
      'touch /tmp/x && echo tmp-ok',
    ].join('; ');
    const { stdout } = await run(sh(script));

    assert.equal(stdout, 'root-refused\nbin-refused\ntmp-ok\n');
    assert.equal(existsSync(join(image.dir, 'bin', 'x')), false);
  });

  it('runs as a numeric user, and as a named one with its groups from the image', async () => {
    const numeric = await run(sh('id; touch /tmp/mine && echo tmp-ok'), { user: '1234:1234' });
    assert.equal(numeric.stdout, 'uid=1234 gid=1234\ntmp-ok\n');

    const withoutEntry = await run(['id'], { user: '1234' });
    assert.equal(withoutEntry.stdout, 'uid=1234 gid=0(root)\n', 'gid 0, as Docker does');

    // Supplementary groups work on the files, though the user namespace, which maps only the
    // user's own ids, shows them as 65534.
    const script = 'id -u; id -g; cat /etc/staff-note';
    const named = await run(sh(script), { user: 'app' });
    assert.equal(named.stdout, '1000\n1000\nfor staff\n');

    const outsider = await run(sh(script), { user: '1234:1234' });
    assert.match(outsider.stderr, /Permission denied/);
  });

  it('rejects a user the image does not know, and a working directory it cannot make', async () => {
    await assert.rejects(driver.start(spec(['id'], { user: 'nobody-here' })), {
      name: 'ContainerStartError',
      message: 'unable to find user nobody-here: no matching entries in passwd file',
    });

    await assert.rejects(driver.start(spec(['pwd'], { workingDirectory: '/etc/app' })), {
      name: 'ContainerStartError',
      message: 'the working directory /etc/app is not in the image and its parent is read-only',
    });
  });

  it('ends with the runtime message as reason when the command does not exist', async () => {
    const { exit, stderr } = await run(['no-such-command']);

    assert.equal(exit.exitCode, null);
    assert.match(exit.reason ?? '', /^bwrap: execvp no-such-command: No such file or directory$/);
    assert.match(stderr, /execvp no-such-command/);
  });

  it('stops a container with SIGTERM', async () => {
    const container = await driver.start(spec(['sleep', '1000']));
    const startedStop = Date.now();
    await container.stop(10_000);

    assert.ok(Date.now() - startedStop < 2_000, 'SIGTERM ended it without waiting for the timeout');
    assert.deepEqual(await container.exited, { exitCode: null, signal: 'SIGTERM' });
  });

  it('kills a container that ignores SIGTERM once the timeout has passed', async () => {
    const container = await driver.start(spec(sh('trap "" TERM; echo trapped; sleep 1000')));
    // start() returns once the shell exists, maybe before its trap does.
    await firstLine(join(scratch, container.id));
    const startedStop = Date.now();
    await container.stop(300);

    assert.ok(Date.now() - startedStop >= 300, 'it waited for the timeout');
    assert.deepEqual(await container.exited, { exitCode: null, signal: 'SIGKILL' });
  });

  it('enters a running container with enterCommand', async () => {
    const container = await driver.start(spec(['sleep', '1000'], { fipsEnabled: true }));
    try {
      const script = 'cat /proc/sys/crypto/fips_enabled; hostname; ls /; echo $PATH';
      const output = await entered(container, sh(script));

      assert.deepEqual(output.split('\n'), [
        '1',
        'task-host',
        'bin',
        'dev',
        'etc',
        'proc',
        'run',
        'tmp',
        'var',
        DEFAULT_PATH,
        '',
      ]);
    } finally {
      await container.stop(0);
    }
  });

  it('enters a container of a non-root user as that user', async () => {
    const container = await driver.start(spec(['sleep', '1000'], { user: '1234:1234' }));
    try {
      assert.equal(await entered(container, ['id']), 'uid=1234 gid=1234\n');
    } finally {
      await container.stop(0);
    }
  });

  it('follows events.log, yielding lines as they are written', async () => {
    const container = await driver.start(spec(sh('echo one; sleep 1; echo two >&2')));
    let ended = false;
    void container.exited.then(() => (ended = true));

    const seen: string[] = [];
    for await (const event of readLogs(join(scratch, container.id), { follow: true })) {
      seen.push(`${event.stream}:${event.line}`);
      if (seen.length === 1) assert.equal(ended, false, 'the first line came while it still ran');
    }
    assert.deepEqual(seen, ['stdout:one', 'stderr:two']);
  });

  it('reads only the lines since a time', async () => {
    const container = await driver.start(spec(sh('echo early; sleep 0.3; echo late')));
    await container.exited;
    const logDir = join(scratch, container.id);
    const all = await collect(readLogs(logDir));
    const lateAt = new Date(all[1]?.t ?? '');

    assert.deepEqual(
      (await collect(readLogs(logDir, { since: lateAt }))).map((e) => e.line),
      ['late'],
    );
  });

  it('keeps every line of a large output in order, and cuts lines at 16 KiB', async () => {
    const lines = 'i=0; while [ $i -lt 30000 ]; do echo "line $i"; i=$((i+1)); done';
    const script = `printf '%020000d\\n' 7; ${lines}`;
    const container = await driver.start(spec(sh(script)));
    await container.exited;

    const events = await collect(readLogs(join(scratch, container.id)));
    assert.deepEqual(
      events.slice(0, 2).map((event) => event.line.length),
      [16 * 1024, 20000 - 16 * 1024],
    );
    assert.equal(events.length, 30002);
    assert.equal(events.at(-1)?.line, 'line 29999');
  });

  it('runs 20 containers at once', async () => {
    const specs = Array.from({ length: 20 }, (_, i) =>
      spec(sh('hostname'), { hostname: `task-${i}` }),
    );
    const containers = await Promise.all(specs.map((s) => driver.start(s)));
    const exits = await Promise.all(containers.map((c) => c.exited));

    assert.deepEqual(
      exits,
      specs.map(() => ok),
    );
    specs.forEach((s, i) => assert.equal(readOutput(s.logDir).stdout, `task-${i}\n`));
  });

  it('knows which pids are its live containers', async () => {
    const container = await driver.start(spec(['sleep', '1000']));
    assert.equal(driver.isAlive(container.pid), true);

    await container.stop(0);
    assert.equal(driver.isAlive(container.pid), false);
    assert.equal(driver.isAlive(process.pid), false);
    assert.equal(driver.isAlive(1), false);
  });

  it('rejects start naming the Debian package when bwrap is missing', async () => {
    const without = new BwrapDriver({ programs: { bwrap: '/nonexistent/bwrap' } });

    await assert.rejects(without.start(spec(['true'])), /install the Debian package 'bubblewrap'/);
    const support = await without.check();
    assert.equal(support.supported, false);
    assert.deepEqual(support.missing, ['bubblewrap']);
  });
});

async function entered(container: RunningContainer, argv: string[]): Promise<string> {
  const child = enterCommand(container.pid, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 0);
  return output;
}

async function firstLine(logDir: string): Promise<string> {
  for await (const event of readLogs(logDir, { follow: true })) return event.line;
  throw new Error(`no line in ${logDir}`);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
