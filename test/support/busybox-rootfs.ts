import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `busybox-static` puts a statically linked busybox here. */
export const BUSYBOX = '/bin/busybox';

/** The applets the image links to busybox. */
export const APPLETS = [
  'sh',
  'cat',
  'echo',
  'sleep',
  'ls',
  'id',
  'hostname',
  'env',
  'pwd',
  'touch',
  'kill',
  'true',
  'false',
] as const;

/** Users of the image: `app` (1000) is also a member of `staff` (50). */
const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'app:x:1000:1000::/home/app:/bin/sh'];
const GROUP = ['root:x:0:', 'staff:x:50:app', 'app:x:1000:'];

/** An unpacked busybox image in a temporary directory. */
export interface BusyboxRootfs {
  readonly dir: string;
  remove(): void;
}

/**
 * Builds a ~2 MB image filesystem from the host's static busybox: `/bin/busybox`, relative
 * applet links (`busybox --install -s` would write absolute host paths), `/etc/passwd` and
 * `/etc/group`. Fails, naming the package, when busybox-static is not installed.
 */
export function makeBusyboxRootfs(): BusyboxRootfs {
  requireStaticBusybox();
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-busybox-'));
  // mkdtemp makes it 0700; a container running as a non-root user must be able to reach it.
  chmodSync(dir, 0o755);

  mkdirSync(join(dir, 'bin'));
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(dir, 'bin', applet));

  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc', 'passwd'), PASSWD.join('\n') + '\n');
  writeFileSync(join(dir, 'etc', 'group'), GROUP.join('\n') + '\n');

  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function requireStaticBusybox(): void {
  const install = "install the Debian package 'busybox-static' (apt-get install -y busybox-static)";
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: ${install}`);

  // Debian's dynamic `busybox` package installs the same path, but needs a libc the image lacks.
  if (hasInterpreter(readFileSync(BUSYBOX))) {
    throw new Error(`${BUSYBOX} is dynamically linked: ${install}`);
  }
}

/** Whether a 64-bit ELF file names a dynamic loader (has a PT_INTERP program header). */
function hasInterpreter(elf: Buffer): boolean {
  const PT_INTERP = 3;
  const programHeaders = Number(elf.readBigUInt64LE(32));
  const entrySize = elf.readUInt16LE(54);
  const count = elf.readUInt16LE(56);

  for (let index = 0; index < count; index++) {
    if (elf.readUInt32LE(programHeaders + index * entrySize) === PT_INTERP) return true;
  }
  return false;
}
