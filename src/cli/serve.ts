import { resolve } from 'node:path';
import type { ServerConfig } from '../config.js';
import { dataFiles } from '../data-dir.js';
import { tlsFiles } from '../tls/certificates.js';
import { startServer } from '../server.js';

/** `fedgate serve`: runs until SIGINT or SIGTERM, then shuts down cleanly. */
export async function runServe(config: ServerConfig): Promise<void> {
  const server = await startServer({ ...config, dataDir: resolve(config.dataDir) });
  if (server.bootstrapped) printFirstStart(config, server.bootstrapped);
  if (server.tlsUrl) printHttps(config, server.tlsUrl);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`fedgate: ${signal} received, shutting down\n`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * The root credentials are shown once, on the terminal (never in a log line),
 * together with how to use the credentials file written beside the store.
 */
function printFirstStart(
  config: ServerConfig,
  key: { accountId: string; accessKeyId: string; secretAccessKey: string },
): void {
  const files = dataFiles(resolve(config.dataDir));
  process.stderr.write(
    [
      `fedgate: created account ${key.accountId} with a root access key:`,
      `  AccessKeyId:     ${key.accessKeyId}`,
      `  SecretAccessKey: ${key.secretAccessKey}`,
      'Use it with the AWS CLI:',
      `  export AWS_SHARED_CREDENTIALS_FILE=${files.credentials} AWS_CONFIG_FILE=${files.awsConfig} AWS_PROFILE=fedgate`,
      '',
    ].join('\n'),
  );
}

/** Where HTTPS listens and, with the private CA's certificate, what clients must trust. */
function printHttps(config: ServerConfig, tlsUrl: string): void {
  const trust = config.tlsCert
    ? ''
    : `; trust its CA: export AWS_CA_BUNDLE=${tlsFiles(resolve(config.dataDir)).ca}`;
  process.stderr.write(`fedgate: HTTPS on ${tlsUrl}${trust}\n`);
}
