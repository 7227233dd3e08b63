import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { loadMasterKey, SecretBox } from '../auth/secret-box.js';
import { dataFiles } from '../data-dir.js';
import { ensureCa } from '../tls/certificates.js';

/** Adds `fedgate ca path`: the private CA's certificate, for AWS_CA_BUNDLE. */
export function registerCaCommands(program: Command, dataDir: Option): void {
  const ca = program
    .command('ca')
    .description("fedgate's private certificate authority (for `serve --tls`).");
  ca.command('path')
    .description(
      "Print the private CA certificate's file (made now if missing), for AWS_CA_BUNDLE or " +
        "the AWS CLI's --ca-bundle.",
    )
    .addOption(dataDir)
    .addHelpText(
      'after',
      '\nExample:\n  export AWS_CA_BUNDLE=$(fedgate ca path --data-dir .fedgate)',
    )
    .action(async (options: { dataDir: string }) => printCaPath(resolve(options.dataDir)));
}

/**
 * Creating the CA here (rather than failing until the first `serve --tls`) lets clients be
 * set up first; it uses the same master key the server will, so the server adopts it.
 */
async function printCaPath(dataDir: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const box = new SecretBox(loadMasterKey(dataFiles(dataDir).masterKey));
  process.stdout.write(`${await ensureCa(dataDir, box)}\n`);
}
