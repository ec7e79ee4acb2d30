/**
 * An h3 app on node:http at 127.0.0.1 on a port the kernel picks, for the h3 adapter and example
 * tests.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { H3 } from 'h3'
import { toNodeHandler } from 'h3/node'

/** A listening h3 app: its origin, and `close()` that drops open connections. */
export interface H3Server {
  base: string
  close(): void
}

/** Serves `app` on 127.0.0.1. */
export async function serveH3(app: H3): Promise<H3Server> {
  const server = createServer(toNodeHandler(app)).listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections()
      server.close()
    },
  }
}
