/**
 * @module The demo's pages, on plain node:http with the gorilla-style API: every request loads its
 * session with `store.get(req, 'sid')`, a route changes it, and `store.save(req, res, session)`
 * writes what changed before the response goes out. Pages only read: every change is a POST, so a
 * GET writes nothing unless it shows a flash (which must then be removed), and a HEAD never does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isErrorKind, type PGStore, type Session } from '../../src/index.ts'
import { Accounts } from './accounts.ts'
import {
  errorBody,
  type Html,
  homeBody,
  page,
  sessionsBody,
  signedOutBody,
  signInBody,
} from './views.ts'

/** The cookie (and session) name. */
export const SESSION_NAME = 'sid'

/** What the demo keeps in a session. The signed-in user is `session.owner`, not a value. */
export interface DemoValues extends Record<string, unknown> {
  counter: number
}

type DemoSession = Session<DemoValues>

/** What a route asks for: a page, or a redirect (POST/redirect/GET, so a reload never re-posts). */
type Reply = { status?: number; title: string; body: Html } | { redirect: string }

interface RouteContext {
  store: PGStore
  accounts: Accounts
  req: IncomingMessage
  session: DemoSession
  form: URLSearchParams
}

type Route = (ctx: RouteContext) => Promise<Reply>

const MAX_NAME = 40
const MAX_PASSWORD = 200
const MAX_FORM_BYTES = 8192

const routes: Record<string, Route> = {
  'GET /': async ({ session }) => {
    const counter = session.values.counter ?? 0
    return session.owner === undefined
      ? { title: 'Sign in', body: signInBody(counter) }
      : { title: 'Home', body: homeBody(session.owner, counter) }
  },

  'POST /count': async ({ session }) => {
    session.values.counter = (session.values.counter ?? 0) + 1
    return { redirect: '/' }
  },

  'POST /signin': async ({ store, accounts, req, session, form }) => {
    const name = (form.get('name') ?? '').trim()
    const password = form.get('password') ?? ''
    const refuse = (status: number, problem: string): Reply => ({
      status,
      title: 'Sign in',
      body: signInBody(session.values.counter ?? 0, problem),
    })
    const problem = checkName(name) ?? checkPassword(password)
    if (problem !== undefined) return refuse(400, problem)
    const hasSessions = async () => (await store.listSessions(name)).length > 0
    const check = await accounts.check(name, password, hasSessions)
    if (check === 'wrong-password') return refuse(401, 'Wrong password for this name.')
    if (check === 'name-in-use') {
      return refuse(409, 'That name has sessions from before a restart: pick another name.')
    }
    // Owner first, so the renewed row is written with it in the same statement. Renewing drops the
    // pre-sign-in id: a cookie planted or copied before sign-in now loads nothing (session fixation).
    session.owner = name
    await store.renew(session as Session, { userAgent: req.headers['user-agent'] })
    session.addFlash(`Welcome, ${name}! You are signed in.`)
    return { redirect: '/' }
  },

  'GET /sessions': async ({ store, session }) => {
    if (session.owner === undefined) return { redirect: '/' }
    const sessions = await store.listSessions(session.owner, session as Session)
    return { title: 'Sessions', body: sessionsBody(sessions, new Date()) }
  },

  'POST /sessions/revoke': async ({ store, session, form }) => {
    if (session.owner === undefined) return { redirect: '/' }
    const handle = form.get('handle') ?? ''
    const sessions = await store.listSessions(session.owner, session as Session)
    const target = sessions.find((s) => s.handle === handle)
    if (target === undefined) session.addFlash('That session had already ended.')
    else if (target.current) session.addFlash('To end this session, use Sign out.')
    else if (await store.revokeSession(session.owner, handle)) session.addFlash('Session revoked.')
    else session.addFlash('That session had already ended.')
    return { redirect: '/sessions' }
  },

  'POST /sessions/revoke-others': async ({ store, session }) => {
    if (session.owner === undefined) return { redirect: '/' }
    const count = await store.revokeSessions(session.owner, { except: session as Session })
    session.addFlash(`Signed out ${count} other ${count === 1 ? 'session' : 'sessions'}.`)
    return { redirect: '/sessions' }
  },

  'POST /signout': async ({ store, session }) => {
    // The row goes now; the save below sends the expiring cookie.
    await store.destroy(session as Session)
    return { redirect: '/signed-out' }
  },

  'GET /signed-out': async ({ session }) =>
    session.owner === undefined
      ? { title: 'Signed out', body: signedOutBody() }
      : { redirect: '/' },
}

/**
 * The request handler. `css` is served at `/style.css`; `log` receives one line per failed
 * request (an error code and message, never a cookie or session data).
 */
export function createHandler(
  store: PGStore,
  css: string,
  log: (line: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const accounts = new Accounts()
  return function demo(req, res) {
    handle({ store, accounts }, css, req, res).catch((error: unknown) => {
      const code = (error as { code?: unknown })?.code
      log(`demo: ${req.method} ${pathOf(req)} failed: ${String(code ?? '')} ${errorText(error)}`)
      if (res.headersSent) return void res.destroy()
      // Never the error itself: it may come from the database. A store failure is the operator's.
      const [status, title, text] = isErrorKind(error, 'store')
        ? [503, 'Try again', 'The session database is not available right now.']
        : [500, 'Something broke', 'The demo hit an unexpected error; see its console.']
      send(res, status, page({ title, user: undefined, flashes: [] }, errorBody(title, text)))
    })
  }
}

async function handle(
  { store, accounts }: { store: PGStore; accounts: Accounts },
  css: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET')
  const path = pathOf(req)
  if (method === 'GET' && path === '/style.css') {
    res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=60' })
    return void res.end(css)
  }
  const route = routes[`${method} ${path}`]
  if (route === undefined) {
    const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`))
    const [status, title] = known ? [405, 'Method not allowed'] : [404, 'Not found']
    const body = errorBody(title, 'There is no such page.')
    return send(res, status, page({ title, user: undefined, flashes: [] }, body))
  }
  let form = new URLSearchParams()
  if (method === 'POST') {
    if (!sameOrigin(req)) {
      const body = errorBody('Forbidden', 'This form was posted from another site.')
      return send(res, 403, page({ title: 'Forbidden', user: undefined, flashes: [] }, body))
    }
    const posted = await readForm(req)
    if (posted === undefined) {
      const body = errorBody('Too large', 'That form was larger than any form of this demo.')
      return send(res, 413, page({ title: 'Too large', user: undefined, flashes: [] }, body))
    }
    form = posted
  }

  const session = await store.get<DemoValues>(req, SESSION_NAME)
  const reply = await route({ store, accounts, req, session, form })
  // A HEAD shows nothing, so it takes no flash and saves nothing. Otherwise flashes are taken
  // before the save, so a flash shown now is gone from the row.
  const head = req.method === 'HEAD'
  const flashes = 'redirect' in reply || head ? [] : session.flashes<string>()
  if (!head) await store.save(req, res, session as Session)

  if ('redirect' in reply) {
    res.writeHead(303, { location: reply.redirect, ...securityHeaders })
    return void res.end()
  }
  const html = page({ title: reply.title, user: session.owner, flashes }, reply.body)
  send(res, reply.status ?? 200, html)
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...securityHeaders })
  res.end(html)
}

// Pages differ per session, so no cache may keep them (and `Vary: Cookie` says why, for a cache
// that ignores no-store); the CSP allows our stylesheet and nothing else.
const securityHeaders = {
  'cache-control': 'no-store',
  vary: 'Cookie',
  'content-security-policy':
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://demo.invalid').pathname
}

/**
 * SameSite=Lax already keeps the cookie off cross-site POSTs; checking `Origin` (sent by browsers
 * with every POST) also refuses them before any work is done.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

/** The url-encoded form, or `undefined` when the body is larger than any form here. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_FORM_BYTES) return undefined
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function checkName(name: string): string | undefined {
  if (name === '') return 'Please type a name.'
  if ([...name].length > MAX_NAME) return `A name has at most ${MAX_NAME} characters.`
  if (/\p{Cc}/u.test(name)) return 'A name cannot hold control characters.'
  return undefined
}

function checkPassword(password: string): string | undefined {
  if (password === '') return 'Please type a password.'
  if (password.length > MAX_PASSWORD) return `A password has at most ${MAX_PASSWORD} characters.`
  return undefined
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'non-Error thrown'
}
