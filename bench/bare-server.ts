/**
 * The ceiling: a bare Node.js HTTP server that reads each request and answers
 * `{}` with status 200. Run as its own process: `tsx bench/bare-server.ts PORT`.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const body = '{}';

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
