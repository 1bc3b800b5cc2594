// A tiny static file server for www/ with the right MIME types (wasm included), on a free port.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The strict policy every page of www/ must work under (README, "Hosting"). */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/**
 * Serves `root` on 127.0.0.1 at a free port; resolves to {url, close()}. Options: `headers`,
 * sent with every response (e.g. `{'Content-Security-Policy': STRICT_CSP}`); `pkg`, a directory
 * served as /pkg/ in place of root/pkg (the test-hooks build); `mounts`, more directories by
 * URL prefix ({'/fixtures/': dir}: the test pages of tests/e2e/fixtures).
 */
export async function startServer(root, { headers = {}, pkg = null, mounts = {} } = {}) {
  const base = resolve(root);
  const pkgBase = pkg ? resolve(pkg) : null;
  const mounted = Object.entries(mounts).map(([prefix, dir]) => [prefix, resolve(dir)]);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      const pathname = decodeURIComponent(url.pathname);
      const inPkg = pkgBase && pathname.startsWith('/pkg/');
      const mount = mounted.find(([prefix]) => pathname.startsWith(prefix));
      const dir = mount ? mount[1] : inPkg ? pkgBase : base;
      let path = normalize(join(dir, mount ? pathname.slice(mount[0].length - 1) : inPkg ? pathname.slice(4) : pathname));
      if (path !== dir && !path.startsWith(dir + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      const info = await stat(path).catch(() => null);
      if (info && info.isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      res.writeHead(200, {
        'Content-Type': MIME[extname(path)] || 'application/octet-stream',
        'Cache-Control': 'no-store',
        ...headers,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}
