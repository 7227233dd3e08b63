import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { SecretBox, loadMasterKey } from './auth/secret-box.js';
import { openSqliteStore } from './store/db.js';
import type { Database } from './store/schema.js';

/** The files of a data directory. */
export function dataFiles(dataDir: string) {
  return {
    database: join(dataDir, 'fedgate.db'),
    masterKey: join(dataDir, 'master.key'),
    credentials: join(dataDir, 'credentials'),
    awsConfig: join(dataDir, 'config'),
  };
}

/** The store and the secret box of a data directory, created when missing. */
export async function openDataDir(
  dataDir: string,
  options: { backgroundCheckpoints?: boolean } = {},
): Promise<{ db: Kysely<Database>; box: SecretBox }> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const files = dataFiles(dataDir);
  const box = new SecretBox(loadMasterKey(files.masterKey));
  const db = await openSqliteStore(files.database, options);
  return { db, box };
}

/**
 * Writes an AWS shared-credentials file and config file with profile `fedgate`,
 * readable only by the owner, so `AWS_SHARED_CREDENTIALS_FILE` and
 * `AWS_CONFIG_FILE` can point the AWS CLI at them.
 */
export function writeCredentialFiles(
  dataDir: string,
  key: { accessKeyId: string; secretAccessKey: string },
  region: string,
): void {
  const files = dataFiles(dataDir);
  const credentials = `[fedgate]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  writeFileSync(files.credentials, credentials, { mode: 0o600 });
  writeFileSync(files.awsConfig, `[profile fedgate]\nregion = ${region}\noutput = json\n`, {
    mode: 0o600,
  });
}
