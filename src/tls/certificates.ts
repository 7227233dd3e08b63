import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeCertificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { SecretBox } from '../auth/secret-box.js';
import { namesKey, type ServerName } from './host-names.js';

// Keys and signatures come from Node's WebCrypto, that is OpenSSL: no JavaScript cryptography.
x509.cryptoProvider.set(webcrypto as ReturnType<typeof x509.cryptoProvider.get>);

const DAY_MS = 24 * 60 * 60 * 1000;
/** The private CA lives ten years; its certificate is what clients are told to trust. */
const CA_DAYS = 3650;
/** The server certificate's life: the 825 days browsers and Apple's TLS stack still accept. */
const SERVER_DAYS = 825;
/** A server certificate closer than this to its end is replaced at start. */
const RENEW_BEFORE_DAYS = 30;

/** RSASSA-PKCS1-v1_5 with SHA-256 (sha256WithRSAEncryption): FIPS 186-5 approved. */
const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);
const CA_KEY_BITS = 3072;
/** RSA (not ECDSA), so TLS 1.2 clients can negotiate AWS's sample event's ECDHE-RSA-AES128-GCM-SHA256. */
const SERVER_KEY_BITS = 2048;

/** The TLS files of a data directory, all under `<data-dir>/tls/`. */
export function tlsFiles(dataDir: string) {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    /** The private CA's certificate: what AWS_CA_BUNDLE should name. */
    ca: join(dir, 'ca.pem'),
    /** The CA's private key, sealed with the data directory's master key (AES-256-GCM), 0600. */
    caKey: join(dir, 'ca-key.sealed'),
    server: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
  };
}

/** A certificate and its private key, as PEM text. */
export interface KeyAndCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * Makes sure the private CA exists (creating it once) and answers its certificate's file.
 * The CA is never replaced: clients trust it by file, so a new one would break them.
 */
export async function ensureCa(dataDir: string, box: SecretBox, now = new Date()): Promise<string> {
  const files = tlsFiles(dataDir);
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  if (existsSync(files.ca) && existsSync(files.caKey)) {
    assertCaValid(files.ca, now);
    return files.ca;
  }

  const keys = await generateRsa(CA_KEY_BITS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=fedgate private CA ${randomTag()}, O=fedgate`,
    notBefore: backdated(now),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    signingAlgorithm: RSA_SHA256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeFileSync(files.caKey, box.seal(await privateKeyPem(keys.privateKey)) + '\n', {
    mode: 0o600,
  });
  chmodSync(files.caKey, 0o600);
  writeFileSync(files.ca, cert.toString('pem') + '\n', { mode: 0o644 });
  return files.ca;
}

/**
 * The server's certificate and key, issued by the private CA for `names`. The one on disk is
 * kept unless it is missing, not for exactly these names, not issued by this CA or within 30
 * days of its end; then a new key and certificate replace it.
 */
export async function ensureServerCertificate(
  dataDir: string,
  box: SecretBox,
  names: readonly ServerName[],
  now = new Date(),
): Promise<KeyAndCertificate> {
  const files = tlsFiles(dataDir);
  await ensureCa(dataDir, box, now);
  const caPem = readFileSync(files.ca, 'utf8');
  const current = readIfUsable(files.server, files.serverKey, caPem, names, now);
  if (current) return current;

  const issued = await issueServerCertificate(caPem, readFileSync(files.caKey, 'utf8'), box, {
    names,
    now,
  });
  writeFileSync(files.serverKey, issued.key, { mode: 0o600 });
  chmodSync(files.serverKey, 0o600);
  writeFileSync(files.server, issued.cert, { mode: 0o644 });
  return issued;
}

/** Issues a new RSA server key and certificate, signed by the CA. */
async function issueServerCertificate(
  caPem: string,
  sealedCaKey: string,
  box: SecretBox,
  options: { names: readonly ServerName[]; now: Date },
): Promise<KeyAndCertificate> {
  const ca = new x509.X509Certificate(caPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    pemBody(box.open(sealedCaKey.trim())),
    RSA_SHA256,
    false,
    ['sign'],
  );
  const keys = await generateRsa(SERVER_KEY_BITS);
  const end = Math.min(options.now.getTime() + SERVER_DAYS * DAY_MS, ca.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=localhost, O=fedgate',
    issuer: ca.subject,
    notBefore: backdated(options.now),
    notAfter: new Date(end),
    signingAlgorithm: RSA_SHA256,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(options.names.map((name) => ({ ...name }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await privateKeyPem(keys.privateKey) };
}

/** The certificate and key on disk, when they still serve; undefined when they must be made. */
function readIfUsable(
  certFile: string,
  keyFile: string,
  caPem: string,
  names: readonly ServerName[],
  now: Date,
): KeyAndCertificate | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const cert = readFileSync(certFile, 'utf8');
  const parsed = new NodeCertificate(cert);
  const ca = new NodeCertificate(caPem);
  if (!parsed.checkIssued(ca) || !parsed.verify(ca.publicKey)) return undefined;
  const renewAt = new Date(parsed.validTo).getTime() - RENEW_BEFORE_DAYS * DAY_MS;
  if (now.getTime() >= renewAt) return undefined;
  if (namesKey(certificateNames(cert)) !== namesKey(names)) return undefined;
  return { cert, key: readFileSync(keyFile, 'utf8') };
}

/** The DNS and IP subject alternative names of a PEM certificate. */
export function certificateNames(pem: string): ServerName[] {
  const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.toJSON() ?? [])
    .filter((name) => name.type === 'dns' || name.type === 'ip')
    .map((name) => ({ type: name.type as ServerName['type'], value: name.value }));
}

/** Refuses an expired CA with what to do, rather than serving a certificate nobody accepts. */
function assertCaValid(caFile: string, now: Date): void {
  const ca = new NodeCertificate(readFileSync(caFile));
  if (new Date(ca.validTo).getTime() > now.getTime()) return;
  throw new Error(
    `the private CA in ${caFile} expired on ${ca.validTo}: remove ${join(caFile, '..')} to ` +
      'make a new one at the next start, then hand its ca.pem to clients again',
  );
}

async function generateRsa(bits: number): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(
    { ...RSA_SHA256, modulusLength: bits, publicExponent: PUBLIC_EXPONENT },
    true,
    ['sign', 'verify'],
  ) as Promise<webcrypto.CryptoKeyPair>;
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** Valid from an hour ago: a client whose clock lags a little still accepts a fresh certificate. */
function backdated(now: Date): Date {
  return new Date(now.getTime() - 60 * 60 * 1000);
}

/** Tells one installation's CA from another's in a trust store. */
function randomTag(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(4))).toString('hex');
}
