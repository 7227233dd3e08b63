import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { SecretBox } from '../auth/secret-box.js';
import { allRegions } from '../partitions.js';
import { ensureServerCertificate, type KeyAndCertificate } from './certificates.js';
import { serverNames } from './host-names.js';
import { policyContextOptions, type TlsVersion } from './policy.js';

/** What the HTTPS listener is told by `fedgate serve`. */
export interface TlsListenerConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly tlsMaxVersion?: TlsVersion;
  /** A PEM certificate (chain) and key to serve as given, instead of the private CA's. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/**
 * The certificate and key to serve: the files given, or the private CA's server certificate
 * for the AWS host names of every region fedgate serves, made or renewed as needed.
 */
export async function serverTlsMaterial(
  config: TlsListenerConfig,
  box: SecretBox,
): Promise<KeyAndCertificate> {
  if (config.tlsCert === undefined && config.tlsKey === undefined) {
    return ensureServerCertificate(config.dataDir, box, serverNames(allRegions(), config.host));
  }
  if (config.tlsCert === undefined || config.tlsKey === undefined) {
    throw new Error('give both --tls-cert and --tls-key, or neither to use the private CA');
  }
  const material = {
    cert: readFileSync(config.tlsCert, 'utf8'),
    key: readFileSync(config.tlsKey, 'utf8'),
  };
  assertPolicyKey(material, config.tlsCert, config.tlsKey);
  return material;
}

/**
 * Refuses a key the policy does not allow (RSA under 2048 bits, curves other than P-256/P-384)
 * or a key that is not the certificate's, at start rather than at every handshake.
 */
function assertPolicyKey(material: KeyAndCertificate, certFile: string, keyFile: string): void {
  const key = createPrivateKey(material.key);
  const cert = new X509Certificate(material.cert);
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`${keyFile} is not the private key of the certificate in ${certFile}`);
  }
  const details = key.asymmetricKeyDetails ?? {};
  const rsaOk = key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048;
  const ecOk =
    key.asymmetricKeyType === 'ec' &&
    ['prime256v1', 'secp384r1'].includes(details.namedCurve ?? '');
  if (!rsaOk && !ecOk) {
    throw new Error(
      `${keyFile}: the FIPS TLS policy needs an RSA key of at least 2048 bits or an ECDSA ` +
        `P-256/P-384 key, not ${key.asymmetricKeyType ?? 'this key'}`,
    );
  }
}

/**
 * The HTTPS server: the FIPS TLS policy around the same request handler as HTTP. A handshake
 * the policy refuses (old version, no approved suite or group) is logged at debug only: it is
 * the client's problem and should not fill the log.
 */
export function createHttpsServer(
  material: KeyAndCertificate,
  maxVersion: TlsVersion | undefined,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  logger: Logger,
): Server {
  const server = createServer(
    { ...policyContextOptions(maxVersion), ...material, keepAliveTimeout: 60_000 },
    handler,
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    logger.debug({ err: err.code ?? err.message, remote: socket.remoteAddress }, 'TLS refused');
  });
  return server;
}
