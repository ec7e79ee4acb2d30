/**
 * @module An in-process TCP proxy between the store's pool and PostgreSQL, to add latency, to cut
 * every connection at once, or to swallow bytes without closing (a blackhole), on demand.
 */
import { createServer, Socket } from 'node:net'

/** A running proxy and its fault switches. */
export interface TcpProxy {
  /** The port clients connect to (loopback). */
  readonly port: number
  /** Delay every chunk, in both directions, by this many ms. `0` (the default) forwards at once. */
  latency(ms: number): void
  /** Swallow every byte without closing (`true`) or forward again (`false`, the default). */
  blackhole(on: boolean): void
  /** Destroys every open connection, as a network cut or a server crash would. */
  cut(): void
  /** Connections open right now. */
  readonly open: number
  /** Closes the listener and every connection. */
  close(): Promise<void>
}

/** Starts a proxy on a kernel-chosen loopback port forwarding to `127.0.0.1:targetPort`. */
export function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let delayMs = 0
  let swallow = false
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (swallow) return
      // A timer per chunk keeps order: chunks of one direction share the same delay.
      if (delayMs === 0) to.write(chunk)
      else setTimeout(() => to.writable && to.write(chunk), delayMs)
    })
  }
  const server = createServer((client) => {
    const upstream = new Socket()
    sockets.add(client)
    sockets.add(upstream)
    const drop = () => {
      sockets.delete(client)
      sockets.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', drop)
      socket.on('close', drop)
    }
    pipe(client, upstream)
    pipe(upstream, client)
    upstream.connect(targetPort, '127.0.0.1')
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      resolve({
        port,
        latency: (ms) => {
          delayMs = ms
        },
        blackhole: (on) => {
          swallow = on
        },
        cut: () => {
          for (const socket of sockets) socket.destroy()
          sockets.clear()
        },
        get open() {
          return sockets.size / 2
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}
