import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allRegions, findRegion, type Region } from '../../src/partitions.js';
import { serverNames } from '../../src/tls/host-names.js';
import {
  HOSTS_BLOCK_BEGIN,
  HOSTS_BLOCK_END,
  hostsBlock,
  withoutBlocks,
} from '../../src/tls/hosts-file.js';

/**
 * The host names AWS CLI v2 2.9.19 calls in GovCloud (seen with --debug), with and without
 * AWS_USE_FIPS_ENDPOINT=true, for ecs, cloudtrail, sts and s3 (service and bucket `my-bucket`).
 */
function cliHostNames(region: string): string[] {
  const plain = ['ecs', 'cloudtrail', 'sts', 's3', 'my-bucket.s3'];
  const fips = ['ecs-fips', 'cloudtrail', 'sts', 's3-fips', 'my-bucket.s3-fips'];
  return [...plain, ...fips].map((prefix) => `${prefix}.${region}.amazonaws.com`);
}

const GOV_CLOUD = ['us-gov-east-1', 'us-gov-west-1'].map((name) => findRegion(name) as Region);

describe('fedgate hosts: the /etc/hosts lines of host names mode', () => {
  it("covers every name the AWS CLI calls in GovCloud, each under the certificate's names", () => {
    const lines = hostsBlock({ address: '127.0.0.1', regions: GOV_CLOUD, buckets: ['my-bucket'] });
    const listed = new Set(lines.filter((line) => !line.startsWith('#')).flatMap(namesOf));
    const certified = serverNames(allRegions()).map((name) => name.value);
    for (const name of GOV_CLOUD.flatMap((region) => cliHostNames(region.name))) {
      assert.ok(listed.has(name), `${name} is not in the hosts lines`);
      const wildcard = `*.${name.split('.').slice(1).join('.')}`;
      assert.ok(certified.includes(name) || certified.includes(wildcard), name);
    }
  });

  it('prints a marked block, one line per region, no wildcards, global names with us-east-1', () => {
    const all = hostsBlock({ address: '::1', regions: allRegions() });
    assert.equal(all[0], HOSTS_BLOCK_BEGIN);
    assert.equal(all.at(-1), HOSTS_BLOCK_END);
    assert.equal(all.length, allRegions().length + 3);
    assert.ok(all.slice(1, -1).every((line) => line.startsWith('::1 ')));
    assert.ok(all.every((line) => !line.includes('*')));
    assert.ok(all.includes('::1 sts.amazonaws.com s3.amazonaws.com'));
    const gov = hostsBlock({ address: '10.0.0.5', regions: GOV_CLOUD });
    assert.ok(gov.every((line) => !line.includes(' sts.amazonaws.com')));
  });

  it('removes marked blocks and keeps everything else byte for byte', () => {
    const original = '127.0.0.1 localhost\n::1 localhost\n';
    const block = hostsBlock({ address: '127.0.0.1', regions: GOV_CLOUD }).join('\n');
    const edited = `127.0.0.1 localhost\n${block}\n::1 localhost\n`;
    assert.equal(withoutBlocks(edited, HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END), original);
    assert.equal(withoutBlocks(original, HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END), original);
    const unended = `${original}${HOSTS_BLOCK_BEGIN}\n10.0.0.1 x\n`;
    assert.equal(withoutBlocks(unended, HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END), unended);
  });
});

function namesOf(line: string): string[] {
  return line.split(/\s+/).slice(1);
}
