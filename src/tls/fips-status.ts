import { getFips } from 'node:crypto';
import { describeTlsPolicy } from './policy.js';

/**
 * What `fedgate doctor` says about FIPS 140: the policy fedgate enforces and what Node's
 * OpenSSL reports, worded so it never claims a validation the host does not have. A loaded FIPS
 * provider is reported as such; whether it is a validated build is not something Node can tell.
 */
export function fipsStatusLines(
  fipsMode: number = getFips(),
  openssl: string = process.versions.openssl,
): string[] {
  const provider =
    fipsMode === 1
      ? 'on: a FIPS provider is loaded; it is FIPS 140-validated only if it is a validated ' +
        "build of OpenSSL's FIPS provider, which Node cannot tell"
      : 'off: no FIPS provider is loaded, so this is not a FIPS 140-validated module';
  return [
    ...describeTlsPolicy(),
    `Node.js OpenSSL: ${openssl}; FIPS mode (crypto.getFips() = ${fipsMode}): ${provider}`,
    "FIPS 140: fedgate's TLS and its own cryptography use only FIPS-approved algorithms, " +
      'but they are not FIPS 140-validated unless Node runs a validated OpenSSL FIPS provider ' +
      '(node --enable-fips with a validated fips module).',
  ];
}
