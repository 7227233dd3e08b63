import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trustOptions } from '../../src/cli/session-manager-plugin.js';
import { fipsStatusLines } from '../../src/tls/fips-status.js';
import { describeTlsPolicy, FIPS_TLS_POLICY, policyContextOptions } from '../../src/tls/policy.js';

describe('the FIPS TLS policy', () => {
  it('becomes Node options with only AES-GCM suites, NIST groups and SHA-2 signatures', () => {
    const options = policyContextOptions();
    assert.equal(options.minVersion, 'TLSv1.2');
    assert.equal(options.maxVersion, 'TLSv1.3');
    assert.equal(options.honorCipherOrder, true);
    assert.equal(options.ecdhCurve, 'P-256:P-384');
    const suites = String(options.ciphers).split(':');
    assert.ok(suites.every((suite) => suite.includes('AES') && suite.includes('GCM')));
    assert.ok(suites.includes('TLS_AES_128_GCM_SHA256') && suites.includes(SEED));
    assert.doesNotMatch(String(options.sigalgs), /sha1|sha224|ed25519|ed448/i);
    assert.equal(policyContextOptions('TLSv1.2').maxVersion, 'TLSv1.2');
  });

  it('is shown as a table naming every suite and group', () => {
    const text = describeTlsPolicy().join('\n');
    for (const suite of FIPS_TLS_POLICY.suites) assert.ok(text.includes(suite.name));
    assert.match(text, /groups:\s+P-256, P-384/);
  });

  it('never claims FIPS 140 validation, with or without a FIPS provider', () => {
    const off = fipsStatusLines(0, '3.0.19').join('\n');
    assert.match(off, /getFips\(\) = 0\): off: no FIPS provider is loaded/);
    assert.match(off, /not a FIPS 140-validated module/);
    const on = fipsStatusLines(1, '3.0.19').join('\n');
    assert.match(on, /validated only if it is a validated build .* which Node cannot tell/);
    assert.match(on, /not FIPS 140-validated unless Node runs a validated OpenSSL FIPS provider/);
  });
});

describe('the session-manager-plugin trust options', () => {
  it('trusts AWS_CA_BUNDLE for wss:// only, and says what to do when it is unreadable', () => {
    assert.deepEqual(trustOptions('ws://127.0.0.1/x', '/nonexistent'), {});
    assert.deepEqual(trustOptions('wss://127.0.0.1/x', ''), {});
    assert.throws(() => trustOptions('wss://127.0.0.1/x', '/nonexistent'), /point it at a PEM/);
  });
});

const SEED = 'ECDHE-RSA-AES128-GCM-SHA256';
