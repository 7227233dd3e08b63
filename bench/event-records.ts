import { EVENT_KINDS, weightedPicker, type CallShape } from './event-catalog.js';
import type { Random } from './random.js';

/** The CloudTrail Username of the root user (see src/audit/record.ts). */
const ROOT = 'root';

const FIRST = ['alice', 'bruno', 'chen', 'dana', 'emeka', 'farah', 'gus', 'hana', 'ivan', 'jade'];
const LAST = ['nguyen', 'okafor', 'silva', 'kowalski'];
const SERVICE_USERS = ['ci-deployer', 'svc-batch', 'svc-ingest', 'terraform', 'monitoring'];
const USER_AGENTS = [
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#ecs',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#6.1.0 lang/js md/nodejs#20.11.1 api/ecs#3.540.0',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 ua/2.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.41.5',
];
const TLS = {
  tlsVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
};

/** Someone who makes calls: an IAM user (or root) with one access key. */
export interface Caller {
  readonly userName: string;
  readonly userId: string;
  readonly accessKeyId: string;
  readonly sourceIp: string;
}

/** One seeded event, as the columns of the `events` table want it. */
export interface SeedRow {
  readonly eventId: string;
  readonly eventTime: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: number;
  readonly username: string;
  readonly accessKeyId: string;
  readonly record: string;
}

/** The 50 callers of the seeded history: root, 40 people and 9 service users. */
export function makeCallers(random: Random): Caller[] {
  const names = [ROOT];
  for (const first of FIRST) for (const last of LAST) names.push(`${first}.${last}`);
  for (let i = 0; names.length < 50; i += 1) {
    names.push(`${SERVICE_USERS[i % SERVICE_USERS.length]}-${Math.floor(i / 5) + 1}`);
  }
  return names.map((userName) => ({
    userName,
    userId: `AIDA${random.keyChars(17)}`,
    accessKeyId: `AKIA${random.keyChars(16)}`,
    sourceIp: `10.${random.int(256)}.${random.int(256)}.${1 + random.int(254)}`,
  }));
}

/** Writes realistic CloudTrail records for one account and region. */
export class RecordFactory {
  private readonly pickKind = weightedPicker(EVENT_KINDS);
  private readonly shape: CallShape;

  constructor(
    private readonly random: Random,
    private readonly accountId: string,
    private readonly region: string,
    private readonly callers: readonly Caller[],
  ) {
    this.shape = { random, accountId, region };
  }

  /** One event at `eventTime` (epoch ms) by a random caller. */
  row(eventTime: number): SeedRow {
    const kind = this.pickKind(this.random);
    const caller = this.random.pick(this.callers);
    const eventId = this.random.uuid();
    const record = {
      eventVersion: '1.08',
      userIdentity: this.identity(caller),
      eventTime: new Date(eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: kind.source,
      eventName: kind.name,
      awsRegion: this.region,
      sourceIPAddress: caller.sourceIp,
      userAgent: this.random.pick(USER_AGENTS),
      requestParameters: kind.request(this.shape),
      responseElements: kind.response ? kind.response(this.shape) : null,
      requestID: this.random.uuid(),
      eventID: eventId,
      readOnly: kind.readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: this.accountId,
      eventCategory: 'Management',
      tlsDetails: { ...TLS, clientProvidedHostHeader: hostOf(kind.source, this.region) },
    };
    return {
      eventId,
      eventTime,
      eventName: kind.name,
      eventSource: kind.source,
      readOnly: kind.readOnly ? 1 : 0,
      username: caller.userName,
      accessKeyId: caller.accessKeyId,
      record: JSON.stringify(record),
    };
  }

  private identity(caller: Caller): Record<string, unknown> {
    const account = this.accountId;
    if (caller.userName === ROOT) {
      const arn = `arn:aws-us-gov:iam::${account}:root`;
      return {
        type: 'Root',
        principalId: account,
        arn,
        accountId: account,
        accessKeyId: caller.accessKeyId,
      };
    }
    return {
      type: 'IAMUser',
      principalId: caller.userId,
      arn: `arn:aws-us-gov:iam::${account}:user/${caller.userName}`,
      accountId: account,
      accessKeyId: caller.accessKeyId,
      userName: caller.userName,
    };
  }
}

function hostOf(source: string, region: string): string {
  return `${source.split('.')[0]}.${region}.amazonaws.com`;
}
