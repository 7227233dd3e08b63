import { resolve } from 'node:path';
import { Command, type Option } from 'commander';
import { createAccount, createUser, defaultAccountId } from '../auth/identity-store.js';
import { openDataDir } from '../data-dir.js';
import { findRegion } from '../partitions.js';
import { systemClock } from '../util/clock.js';
import { randomIds } from '../util/ids.js';

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** Adds `fedgate users create` and `fedgate accounts create`. */
export function registerAccountCommands(program: Command, dataDir: Option): void {
  const users = program.command('users').description('Manage IAM users of an account.');
  users
    .command('create')
    .description(
      'Create an IAM user with an access key; prints it as JSON (the secret is shown only here).',
    )
    .argument('<name>', 'user name: 1-64 letters, digits and +=,.@_-')
    .addOption(dataDir)
    .option('--account <id>', 'account to create the user in (default: the first account)')
    .option('--region <region>', 'region whose partition the printed ARN uses', 'us-gov-west-1')
    .action(async (name: string, options: { dataDir: string; account?: string; region: string }) =>
      createUserCommand(name, options),
    );

  const accounts = program.command('accounts').description('Manage accounts.');
  accounts
    .command('create')
    .description('Create another account with its root access key; prints it as JSON.')
    .addOption(dataDir)
    .action(async (options: { dataDir: string }) => createAccountCommand(options.dataDir));
}

async function createUserCommand(
  name: string,
  options: { dataDir: string; account?: string; region: string },
) {
  if (!USER_NAME.test(name))
    fail(`invalid user name '${name}': use 1-64 letters, digits and +=,.@_-`);
  const region = findRegion(options.region) ?? fail(`unknown region '${options.region}'`);

  const { db, box } = await openDataDir(resolve(options.dataDir));
  try {
    const accountId = options.account ?? (await defaultAccountId(db));
    if (!accountId) fail('no account yet: start `fedgate serve` once with this --data-dir first');
    const key = await createUser(
      db,
      { box, clock: systemClock, ids: randomIds },
      accountId,
      name,
    ).catch((err) => {
      fail(`could not create user '${name}' in account ${accountId}: ${uniqueHint(err)}`);
    });
    print({
      UserName: name,
      Arn: `arn:${region.partition}:iam::${accountId}:user/${name}`,
      AccessKeyId: key.accessKeyId,
      SecretAccessKey: key.secretAccessKey,
    });
  } finally {
    await db.destroy();
  }
}

async function createAccountCommand(dataDir: string) {
  const { db, box } = await openDataDir(resolve(dataDir));
  try {
    const key = await createAccount(db, { box, clock: systemClock, ids: randomIds });
    print({
      AccountId: key.accountId,
      AccessKeyId: key.accessKeyId,
      SecretAccessKey: key.secretAccessKey,
    });
  } finally {
    await db.destroy();
  }
}

function uniqueHint(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (text.includes('UNIQUE') || text.includes('PRIMARY KEY'))
    return 'a user with that name already exists';
  if (text.includes('FOREIGN KEY')) return 'no such account';
  return text;
}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function fail(message: string): never {
  process.stderr.write(`fedgate: ${message}\n`);
  process.exit(1);
}
