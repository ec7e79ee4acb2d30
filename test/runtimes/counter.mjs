// The three-request counter the runtime test serves under Bun and Deno: the BUILT package (dist/,
// imported from DIST_URL), newPGStore and the Fetch adapter behind Bun.serve or Deno.serve on
// 127.0.0.1. Plain JavaScript, so each runtime runs it as it is. Prints `listening <port>`.
const env = (name) => (globalThis.Deno ? Deno.env.get(name) : process.env[name]) ?? ''
const dist = env('DIST_URL')
const { newPGStore } = await import(`${dist}/index.js`)
const { fetchSessions } = await import(`${dist}/adapters/fetch.js`)

const runtime = globalThis.Bun ? `bun ${Bun.version}` : `deno ${Deno.version.deno}`
// Keys are bytes, given base64 as `pgstore keygen` prints them; atob works in every runtime.
const key = (name) => Uint8Array.from(atob(env(name)), (c) => c.charCodeAt(0))
const store = await newPGStore(env('DATABASE_URL'), key('HASH_KEY'), key('BLOCK_KEY'), {
  schema: env('SCHEMA'),
  cookie: { secure: false },
})
const sessions = fetchSessions(store, { name: 'sid' })

async function handler(request) {
  const session = await sessions.getSession(request)
  session.values.n = (session.values.n ?? 0) + 1
  return sessions.setCookies(session, Response.json({ n: session.values.n, runtime }), request)
}

const listening = (port) => console.log(`listening ${port}`)
if (globalThis.Bun) {
  listening(Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler }).port)
} else {
  Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => listening(port) }, handler)
}
