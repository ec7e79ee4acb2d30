/**
 * @module The demo's HTML. Every page goes through the `html` tag, which escapes each interpolated
 * value unless it is already {@link Html}, so a user-provided string (a name, a user agent, a flash)
 * can never become markup.
 */
import type { OwnedSession } from '../../src/index.ts'

/** Markup that is already safe: built by the `html` tag, never from a raw string. */
export class Html {
  /** The markup. */
  readonly value: string

  constructor(value: string) {
    this.value = value
  }

  toString(): string {
    return this.value
  }
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes `text` for HTML text and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char] ?? char)
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === undefined || value === null || value === false) return ''
  return escapeHtml(String(value))
}

/** Tagged template: literal parts are trusted, every `${value}` is escaped (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '')
  })
  return new Html(out)
}

/** What every page shows around its body. */
export interface PageFrame {
  title: string
  /** The signed-in user, or `undefined`. */
  user: string | undefined
  /** Flash messages to show once, above the body. */
  flashes: readonly string[]
}

/** A whole page: header nav, flashes, the body in a centered card. */
export function page(frame: PageFrame, body: Html): string {
  const nav = frame.user
    ? html`<a href="/">Home</a><a href="/sessions">Sessions</a>
        <span class="spacer"></span>
        <span class="who">Signed in as <strong>${frame.user}</strong></span>
        <form method="post" action="/signout"><button class="link">Sign out</button></form>`
    : html`<a href="/">Home</a><span class="spacer"></span><span class="who">Not signed in</span>`
  const flashes = frame.flashes.map((text) => html`<p class="flash" role="status">${text}</p>`)
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · pgstore demo</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><nav><a class="brand" href="/">pgstore demo</a>${nav}</nav></header>
<main class="card">
${flashes}
${body}
</main>
<footer>Sessions live in PostgreSQL; the cookie holds only a signed, encrypted id.</footer>
</body>
</html>
`.value
}

/** The button that counts a visit: a POST, so reading a page never writes the session. */
const countForm = html`<form method="post" action="/count"><button class="small">Count a visit</button></form>`

/** The home page of a visitor who has not signed in: the counter and the sign-in form. */
export function signInBody(counter: number, error?: string): Html {
  return html`<h1>Welcome</h1>
<p>${visits(counter)} Counting starts a session before you sign in; signing in gives it a new id.</p>
${countForm}
<form method="post" action="/signin" class="stack">
  <label for="name">Your name</label>
  ${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
  <input id="name" name="name" maxlength="40" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" maxlength="200" autocomplete="current-password" required>
  <button>Sign in</button>
  <p class="hint">The first sign-in with a name claims it with that password, until the demo stops.</p>
</form>`
}

/** The home page of a signed-in user. */
export function homeBody(user: string, counter: number): Html {
  return html`<h1>Hello, ${user}</h1>
<p class="counter"><span class="big" data-testid="counter">${counter}</span> ${counter === 1 ? 'visit' : 'visits'} counted in this session.</p>
${countForm}
<p>The number lives in the session row, not in the cookie; reloading only reads it.</p>
<p>Sign in with the same name in another browser, then see both on the <a href="/sessions">sessions page</a>.</p>`
}

/** The list of the user's sessions, with revoke buttons. */
export function sessionsBody(sessions: readonly OwnedSession[], now: Date): Html {
  const rows = sessions.map(
    (s) => html`<tr${s.current ? html` class="current"` : ''}>
  <td>${describeAgent(s.userAgent)}${s.current ? html` <span class="badge">this device</span>` : ''}
    <div class="agent">${s.userAgent ?? 'unknown user agent'}</div></td>
  <td>${timeAgo(s.createdOn, now)}</td>
  <td>${timeAgo(s.lastActive, now)}</td>
  <td>${
    s.current
      ? ''
      : html`<form method="post" action="/sessions/revoke"><input type="hidden" name="handle" value="${s.handle}"><button class="small">Revoke</button></form>`
  }</td>
</tr>`,
  )
  const others = sessions.some((s) => !s.current)
  return html`<h1>Your sessions</h1>
<table>
<thead><tr><th>Device</th><th>Created</th><th>Last active</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
${
  others
    ? html`<form method="post" action="/sessions/revoke-others"><button class="danger">Sign out everywhere else</button></form>`
    : html`<p class="hint">Only this device is signed in.</p>`
}`
}

/** After sign-out: the row is gone and the cookie expired. */
export function signedOutBody(): Html {
  return html`<h1>Signed out</h1>
<p>Your session row was deleted and its cookie expired.</p>
<p><a href="/">Back to the start</a></p>`
}

/** A short error page body. */
export function errorBody(title: string, text: string): Html {
  return html`<h1>${title}</h1><p>${text}</p><p><a href="/">Back home</a></p>`
}

function visits(counter: number): string {
  if (counter === 0) return 'No visit counted yet.'
  return counter === 1 ? 'One visit counted.' : `${counter} visits counted.`
}

// First match wins, so the more specific tokens come first (Edge and Chrome both say "Chrome/").
const browsers: ReadonlyArray<readonly [string, string]> = [
  ['Edg/', 'Edge'],
  ['Firefox/', 'Firefox'],
  ['HeadlessChrome/', 'Headless Chrome'],
  ['Chrome/', 'Chrome'],
  ['Safari/', 'Safari'],
  ['curl/', 'curl'],
]
const systems: ReadonlyArray<readonly [string, string]> = [
  ['Android', 'Android'],
  ['iPhone', 'iOS'],
  ['Windows', 'Windows'],
  ['Mac OS X', 'macOS'],
  ['Linux', 'Linux'],
]

/** "Chrome on Linux" from a user agent; the full string is shown below it. */
function describeAgent(agent: string | null): string {
  if (!agent) return 'Unknown device'
  const browser = browsers.find(([token]) => agent.includes(token))?.[1] ?? 'A browser'
  const os = systems.find(([token]) => agent.includes(token))?.[1] ?? 'an unknown system'
  return `${browser} on ${os}`
}

function timeAgo(date: Date, now: Date): Html {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000))
  const text =
    seconds < 10
      ? 'just now'
      : seconds < 90
        ? `${seconds} s ago`
        : seconds < 5400
          ? `${Math.round(seconds / 60)} min ago`
          : seconds < 129600
            ? `${Math.round(seconds / 3600)} h ago`
            : date.toISOString().slice(0, 10)
  return html`<time datetime="${date.toISOString()}" title="${date.toISOString()}">${text}</time>`
}
