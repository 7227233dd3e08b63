import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import type { LookupFunction } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ECSClient } from '@aws-sdk/client-ecs';
import { tlsFiles } from '../../src/tls/certificates.js';
import { clientOptions } from './clients.js';
import type { TestCredentials } from './fedgate.js';

/** The private CA certificate of a test server's data directory. */
export function testCa(dataDir: string): string {
  return readFileSync(tlsFiles(dataDir).ca, 'utf8');
}

/**
 * Resolves every name to 127.0.0.1, so a client can call fedgate by an AWS host name
 * (ecs-fips.us-gov-east-1.amazonaws.com) and send it as SNI and Host, as through /etc/hosts.
 */
export const loopbackLookup: LookupFunction = (_name, options, callback) => {
  if (options.all) {
    (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(
      null,
      [{ address: '127.0.0.1', family: 4 }],
    );
  } else {
    callback(null, '127.0.0.1', 4);
  }
};

/** What an HTTPS SDK client is built with. */
export interface TlsClientTarget {
  readonly endpoint: string;
  readonly credentials: TestCredentials;
  readonly region: string;
  readonly ca: string;
  /** Extra TLS options of the client's agent (maxVersion, ciphers, lookup…). */
  readonly agent?: AgentOptions;
}

function options(target: TlsClientTarget) {
  return {
    ...clientOptions(target),
    // The SDK's Node handler takes its options as is: an HTTPS agent trusting the private CA.
    requestHandler: { httpsAgent: new Agent({ ca: target.ca, ...target.agent }) },
  };
}

/** An ECS client of the AWS SDK for JavaScript v3 over HTTPS. */
export function tlsEcsClient(target: TlsClientTarget): ECSClient {
  return new ECSClient(options(target));
}

/** A CloudTrail client of the AWS SDK for JavaScript v3 over HTTPS. */
export function tlsCloudTrailClient(target: TlsClientTarget): CloudTrailClient {
  return new CloudTrailClient(options(target));
}

/** The newest record of `eventName`, parsed, as LookupEvents answers it. */
export async function newestRecord(
  trail: CloudTrailClient,
  eventName: string,
): Promise<Record<string, unknown>> {
  const out = await trail.send(
    new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
      MaxResults: 1,
    }),
  );
  const text = out.Events?.[0]?.CloudTrailEvent;
  if (text === undefined) throw new Error(`no ${eventName} record`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** How a raw TLS handshake ended: the negotiated facts, or the error that ended it. */
export type Handshake =
  | { readonly ok: true; readonly protocol: string; readonly cipher: string }
  | { readonly ok: false; readonly code: string };

/** Opens a TLS connection to 127.0.0.1:`port` with `options` and reports the handshake. */
export function handshake(
  port: number,
  ca: string,
  options: ConnectionOptions,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...options });
    socket.once('secureConnect', () => {
      resolve({
        ok: true,
        protocol: socket.getProtocol() ?? '',
        cipher: socket.getCipher().name,
      });
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      resolve({ ok: false, code: err.code ?? err.message });
    });
  });
}
