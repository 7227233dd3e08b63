import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLUGIN_ENTRY = fileURLToPath(new URL('./plugin-entry.ts', import.meta.url));

/**
 * A directory holding `session-manager-plugin`: the AWS CLI runs the plugin by name from PATH,
 * and this one is fedgate's, run from source.
 */
export function pluginDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-plugin-'));
  const script = [
    '#!/bin/sh',
    `exec '${process.execPath}' --import '${import.meta.resolve('tsx')}' '${PLUGIN_ENTRY}' "$@"`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'session-manager-plugin'), script);
  chmodSync(join(dir, 'session-manager-plugin'), 0o755);
  return dir;
}
