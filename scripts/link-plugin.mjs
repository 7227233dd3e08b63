// Links the bundled session-manager-plugin into node_modules/.bin after `npm ci` in this
// repository (npm links a package's bins only into projects that depend on it), so that
// `export PATH=$PWD/node_modules/.bin:$PATH` lets `aws ecs execute-command` find it.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'bin', 'session-manager-plugin.js');
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'session-manager-plugin');

if (existsSync(join(root, 'node_modules'))) {
  mkdirSync(binDir, { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, target), link);
  chmodSync(target, 0o755);
}
