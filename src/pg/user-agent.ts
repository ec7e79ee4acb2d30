/**
 * @module The user agent as stored for "where am I signed in": a header the client chooses, so it
 * is bounded and stripped of control characters before it reaches the table, a terminal or a page.
 */

/** Longest stored user agent, in characters; real browsers send about 100 to 200. */
export const userAgentLimit = 256

// C0 controls, DEL and C1 controls: a terminal or log viewer would act on them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controls = /[\u0000-\u001f\u007f-\u009f]/g

/** `userAgent` with control characters removed and cut to {@link userAgentLimit}; null if none. */
export function storedUserAgent(userAgent: string | null | undefined): string | null {
  if (typeof userAgent !== 'string') return null
  const clean = userAgent.replace(controls, '')
  // By code point, so a cut never leaves half of a surrogate pair.
  const cut =
    clean.length > userAgentLimit ? Array.from(clean).slice(0, userAgentLimit).join('') : clean
  return cut === '' ? null : cut
}
