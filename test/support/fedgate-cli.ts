import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** Runs the `fedgate` command line from source, as a separate process. */
export async function fedgateCli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, ...env },
  });
}

/** Creates an IAM user with `fedgate users create` and answers its printed JSON. */
export async function createTestUser(dataDir: string, name: string, account?: string) {
  const args = [
    'users',
    'create',
    name,
    '--data-dir',
    dataDir,
    ...(account ? ['--account', account] : []),
  ];
  const { stdout } = await fedgateCli(args);
  return JSON.parse(stdout) as {
    UserName: string;
    Arn: string;
    AccessKeyId: string;
    SecretAccessKey: string;
  };
}

/** Creates another account with `fedgate accounts create`. */
export async function createTestAccount(dataDir: string) {
  const { stdout } = await fedgateCli(['accounts', 'create', '--data-dir', dataDir]);
  return JSON.parse(stdout) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
}
