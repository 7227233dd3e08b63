/**
 * The ceiling: a bare Node.js HTTP server that reads each request and answers
 * `{}` with status 200. Run as its own process: `tsx bench/bare-server.ts PORT`.
 * With `TLS_PORT CERT_FILE KEY_FILE` after the port it also answers HTTPS there, under
 * fedgate's TLS policy; HTTPS listens first, so HTTP answering means both are up.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { policyContextOptions } from '../src/tls/policy.js';

const [portText, tlsPortText, certFile, keyFile] = process.argv.slice(2);
const body = '{}';

function answer(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, answer);
const secure =
  tlsPortText && certFile && keyFile
    ? createHttpsServer(
        {
          ...policyContextOptions(),
          cert: readFileSync(certFile, 'utf8'),
          key: readFileSync(keyFile, 'utf8'),
          keepAliveTimeout: 60_000,
        },
        answer,
      )
    : undefined;

if (secure) secure.listen(Number(tlsPortText), '127.0.0.1', () => listenHttp());
else listenHttp();

function listenHttp(): void {
  server.listen(Number(portText), '127.0.0.1');
}

process.on('SIGTERM', () => {
  secure?.close();
  server.close(() => process.exit(0));
});
