/**
 * @module A minimal node:http server for a Fetch handler (`app.fetch`), for GET requests: enough
 * to run Hono on node without `@hono/node-server`. Its cost (a `Request` and a `Response` per
 * request) is part of the Hono figures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/** A Fetch handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>

async function serve(handler: FetchHandler, req: IncomingMessage, res: ServerResponse) {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '')
  const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`
  const response = await handler(new Request(url, { method: req.method ?? 'GET', headers }))
  const cookies = response.headers.getSetCookie()
  const out: Record<string, string | string[]> = {}
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') out[key] = value
  })
  if (cookies.length > 0) out['set-cookie'] = cookies
  res.writeHead(response.status, out)
  res.end(Buffer.from(await response.arrayBuffer()))
}

/** A node:http server answering every request with `handler`. */
export function fetchServer(handler: FetchHandler): Server {
  return createServer((req, res) => {
    serve(handler, req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500
      res.end()
    })
  })
}
