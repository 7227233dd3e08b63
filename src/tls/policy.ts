import type { SecureContextOptions, SecureVersion } from 'node:tls';

/** A TLS protocol version fedgate can be limited to. */
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** One cipher suite of the policy, under the names OpenSSL and CloudTrail use. */
export interface PolicySuite {
  readonly version: TlsVersion;
  /** OpenSSL's name: what Node reports and what CloudTrail writes in `tlsDetails.cipherSuite`. */
  readonly name: string;
}

/** The FIPS-approved TLS policy: the versions, suites, key exchange groups and signatures allowed. */
export interface TlsPolicy {
  readonly name: string;
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  /** In the server's order of preference (the server's order wins). */
  readonly suites: readonly PolicySuite[];
  /** Key exchange groups (ECDHE curves), as Node's `ecdhCurve` names them. */
  readonly groups: readonly string[];
  /** Handshake signature schemes, by their TLS (IANA) names. */
  readonly sigalgs: readonly string[];
  /** What the server's own key may be. */
  readonly serverKeys: readonly string[];
}

/**
 * The one TLS policy fedgate serves: TLS 1.2 and 1.3, AES-GCM with ECDHE only, NIST curves
 * P-256/P-384, RSA-PSS/PKCS#1 v1.5 and ECDSA with SHA-256/384 — the algorithms NIST SP 800-52r2
 * allows a FIPS server. CHACHA20-POLY1305, X25519, CBC, static RSA and SHA-1 are left out, so a
 * client that offers nothing else is refused at the handshake. AES-128 comes first, as in the
 * AWS FIPS endpoints' policy AWS's sample event's `ECDHE-RSA-AES128-GCM-SHA256` came from.
 */
export const FIPS_TLS_POLICY: TlsPolicy = {
  name: 'fedgate-FIPS-TLS13-12',
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  suites: [
    { version: 'TLSv1.3', name: 'TLS_AES_128_GCM_SHA256' },
    { version: 'TLSv1.3', name: 'TLS_AES_256_GCM_SHA384' },
    { version: 'TLSv1.2', name: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
    { version: 'TLSv1.2', name: 'ECDHE-RSA-AES128-GCM-SHA256' },
    { version: 'TLSv1.2', name: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
    { version: 'TLSv1.2', name: 'ECDHE-RSA-AES256-GCM-SHA384' },
  ],
  groups: ['P-256', 'P-384'],
  sigalgs: [
    'rsa_pss_rsae_sha256',
    'rsa_pss_rsae_sha384',
    'rsa_pss_pss_sha256',
    'rsa_pss_pss_sha384',
    'rsa_pkcs1_sha256',
    'rsa_pkcs1_sha384',
    'ecdsa_secp256r1_sha256',
    'ecdsa_secp384r1_sha384',
  ],
  serverKeys: ['RSA >= 2048 bits', 'ECDSA P-256/P-384'],
};

/** Whether `text` names a TLS version the policy allows. */
export function isTlsVersion(text: string): text is TlsVersion {
  return text === 'TLSv1.2' || text === 'TLSv1.3';
}

/**
 * The policy as Node's secure context options. Node sends the `TLS_*` names of `ciphers` to
 * OpenSSL's TLS 1.3 suite list, so TLS 1.3's CHACHA20 default is dropped too.
 * `maxVersion` lowers the ceiling (TLSv1.2 reproduces records made by TLS 1.2 clients).
 */
export function policyContextOptions(
  maxVersion: TlsVersion = FIPS_TLS_POLICY.maxVersion,
  policy: TlsPolicy = FIPS_TLS_POLICY,
): SecureContextOptions & { minVersion: SecureVersion; maxVersion: SecureVersion } {
  return {
    minVersion: policy.minVersion,
    maxVersion,
    ciphers: policy.suites.map((suite) => suite.name).join(':'),
    ecdhCurve: policy.groups.join(':'),
    sigalgs: policy.sigalgs.join(':'),
    honorCipherOrder: true,
  };
}

/** Whether a negotiated suite is one of the policy's (for tests and `doctor`). */
export function inPolicy(cipherSuite: string, policy: TlsPolicy = FIPS_TLS_POLICY): boolean {
  return policy.suites.some((suite) => suite.name === cipherSuite);
}

/** The policy table as text lines, for `fedgate doctor`. */
export function describeTlsPolicy(policy: TlsPolicy = FIPS_TLS_POLICY): string[] {
  const suites = (version: TlsVersion) =>
    policy.suites.filter((suite) => suite.version === version).map((suite) => suite.name);
  return [
    `TLS policy ${policy.name}:`,
    `  versions:     ${policy.minVersion} to ${policy.maxVersion}`,
    `  TLSv1.3:      ${suites('TLSv1.3').join(', ')}`,
    `  TLSv1.2:      ${suites('TLSv1.2').join(', ')}`,
    `  groups:       ${policy.groups.join(', ')}`,
    `  signatures:   ${policy.sigalgs.join(', ')}`,
    `  server keys:  ${policy.serverKeys.join(', ')}`,
  ];
}
