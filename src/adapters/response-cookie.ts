/**
 * @module The last step of the Fetch-style adapters (Next.js, SvelteKit): a session cookie onto the
 * handler's `Response`, with the cache headers, copying the response when its headers are immutable.
 */
import { appendSessionCookie } from './fetch.ts'

/**
 * `response` with `setCookie` appended and `Cache-Control: no-store` (unless set) and `Vary:
 * Cookie` added. A response with immutable headers (`Response.redirect`, a `fetch` result) is
 * copied first; otherwise the same object is returned.
 */
export function withSessionCookie(response: Response, setCookie: string): Response {
  try {
    appendSessionCookie(response.headers, setCookie)
    return response
  } catch {
    const copy = new Response(response.body, response)
    appendSessionCookie(copy.headers, setCookie)
    return copy
  }
}
