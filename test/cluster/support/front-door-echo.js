/**
 * The front door's backends (test/cluster/front-door.test.ts): one small HTTP server per name, each
 * on <address>:<port> inside the test's network namespace, where the real Services' EndpointSlices
 * point. Each request is appended to the log file as one JSON line (which backend, method, the path
 * as received, the headers) before the answer, so the test reads a complete log once its client
 * returns. Every one answers 200 with its name.
 *
 *   node front-door-echo.js <log file> <address> <name>=<port>...
 */
const fs = require('fs');
const http = require('http');

const [log, address, ...backends] = process.argv.slice(2);
let listening = 0;
for (const spec of backends) {
  const [name, port] = spec.split('=');
  const server = http.createServer((req, res) => {
    fs.appendFileSync(log, `${JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers })}\n`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: name }));
  });
  server.listen(Number(port), address, () => {
    listening++;
    if (listening === backends.length) process.stdout.write('listening\n');
  });
}
