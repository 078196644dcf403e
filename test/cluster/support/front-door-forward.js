/**
 * TCP listeners inside the front door's network namespace that forward each connection to a Unix
 * socket (a file, so it crosses the namespace boundary; netns.ts serves it from outside). This is
 * how the programs inside reach the API server at the addresses their configuration names, with
 * no extra system package (socat) and the API server's own TLS end to end.
 *
 *   node front-door-forward.js <address>:<port>=<socket>...
 */
const net = require('net');

const specs = process.argv.slice(2);
let listening = 0;
for (const spec of specs) {
  const [listen, socket] = spec.split('=');
  const i = listen.lastIndexOf(':');
  const server = net.createServer((c) => {
    const upstream = net.connect(socket);
    c.pipe(upstream).pipe(c);
    const close = () => { c.destroy(); upstream.destroy(); };
    c.on('error', close);
    upstream.on('error', close);
  });
  server.listen(Number(listen.slice(i + 1)), listen.slice(0, i), () => {
    listening++;
    if (listening === specs.length) process.stdout.write('listening\n');
  });
}
