import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { TlsDetails } from '../audit/record.js';

/**
 * The `tlsDetails` of a request that came over TLS, as CloudTrail writes them: the protocol and
 * OpenSSL's suite name, and the Host header as the client sent it. Undefined over plain HTTP.
 */
export function tlsDetailsOf(req: IncomingMessage): TlsDetails | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket)) return undefined;
  const host = req.headers.host ?? (typeof socket.servername === 'string' ? socket.servername : '');
  return {
    tlsVersion: socket.getProtocol() ?? '',
    // The socket may close while the body is read; its suite is then unknown, not made up.
    cipherSuite: socket.getCipher()?.name ?? '',
    clientProvidedHostHeader: host,
  };
}
