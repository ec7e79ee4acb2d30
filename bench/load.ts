/**
 * @module HTTP load with autocannon on 127.0.0.1: `connections` keep-alive connections, each
 * request carrying the next cookie of a list in turn. Latency is recorded per response at full
 * precision (autocannon's own histogram rounds to whole milliseconds).
 */
import autocannon from 'autocannon'
import { percentile, Samples } from './stats.ts'

/** One load run. */
export interface LoadOptions {
  port: number
  path: string
  /** `name=value` cookie pairs, used in turn. */
  cookies: readonly string[]
  connections: number
  /** Seconds to run; ignored when `until` is given. */
  durationSec: number
  /** Run until this settles instead of for a fixed time. */
  until?: Promise<unknown>
}

/** What a load run measured. */
export interface LoadResult {
  /** 2xx responses. */
  ok: number
  /** Non-2xx responses plus connection errors. */
  failed: number
  seconds: number
  /** 2xx responses per second. */
  rps: number
  /** Latency of 2xx responses, in milliseconds. */
  p50: number
  p99: number
}

/** Runs one load and resolves when it is over. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { cookies } = options
  let next = 0
  const latencies = new Samples()
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.port}`,
        connections: options.connections,
        duration: options.until ? 3600 : options.durationSec,
        requests: [
          {
            method: 'GET',
            path: options.path,
            setupRequest: (request) => {
              const cookie = cookies[next++ % cookies.length] ?? ''
              request.headers = { ...request.headers, cookie }
              return request
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error)
          return
        }
        const ok = result['2xx']
        const values = latencies.values()
        resolve({
          ok,
          failed: result.non2xx + result.errors,
          seconds: result.duration,
          rps: ok / result.duration,
          p50: percentile(values, 50),
          p99: percentile(values, 99),
        })
      },
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
    })
    options.until?.finally(() => instance.stop())
  })
}

/** Sends `count` requests to `path` (at most `parallel` at once) and returns their cookies. */
export async function collectCookies(
  port: number,
  path: string,
  count: number,
  parallel = 20,
): Promise<string[]> {
  const cookies: string[] = []
  const worker = async () => {
    while (cookies.length < count) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`)
      await response.arrayBuffer()
      const setCookie = response.headers.getSetCookie()[0]
      if (!response.ok || setCookie === undefined) {
        throw new Error(`${path} answered ${response.status} without a cookie`)
      }
      cookies.push(setCookie.split(';')[0] ?? '')
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return cookies.slice(0, count)
}

/** GETs `path` with `cookie` and returns the counter in the body. */
export async function readCounter(port: number, cookie: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/read`, { headers: { cookie } })
  const body = await response.text()
  if (!response.ok) throw new Error(`/read answered ${response.status}`)
  return Number(body)
}
