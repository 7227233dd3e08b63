import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END, withoutBlocks } from '../../src/tls/hosts-file.js';

const HOSTS = '/etc/hosts';
/** A copy of the original file, for a person to restore by hand if even the exit hook failed. */
const BACKUP = join(tmpdir(), 'fedgate-test-etc-hosts.backup');
const TEST_BEGIN = '# fedgate test block begin (remove if left over)';
const TEST_END = '# fedgate test block end';
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** /etc/hosts with a test's lines added; `restore()` puts the original back (idempotent). */
export interface EditedHosts {
  readonly original: string;
  restore(): void;
}

/**
 * Adds `lines` to /etc/hosts in a marked block, after writing a backup. A block a crashed earlier
 * run left behind is dropped first (it is not part of the original), and so, from the edited copy
 * only, is any `fedgate hosts` block already there, which might send the names elsewhere. The
 * original comes back on `restore()` and, should the test process end without it, on exit or
 * on SIGINT/SIGTERM (then re-raised, so the process still ends by it).
 */
export function editHostsFile(lines: string): EditedHosts {
  const original = withoutBlocks(readFileSync(HOSTS, 'utf8'), TEST_BEGIN, TEST_END);
  writeFileSync(BACKUP, original);
  let restored = false;
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  const restore = () => {
    if (restored) return;
    writeFileSync(HOSTS, original);
    rmSync(BACKUP, { force: true });
    restored = true;
    process.off('exit', restore);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  process.once('exit', restore);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  const kept = withoutBlocks(original, HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END);
  const block = [TEST_BEGIN, lines.trimEnd(), TEST_END, ''].join('\n');
  try {
    writeFileSync(HOSTS, `${kept}${kept === '' || kept.endsWith('\n') ? '' : '\n'}${block}`);
  } catch (err) {
    restore();
    throw err;
  }
  return { original, restore };
}
