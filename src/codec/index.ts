/**
 * @module The cookie codec: gorilla/securecookie v1.1.1, wire-compatible with Go.
 */

export { decodeBase64Url, encodeBase64Url } from './base64url.ts'
export { bytesSerializer } from './bytes-serializer.ts'
export type { Codec, DecodeOverrides } from './codec.ts'
export { decodeGoJson, encodeGoJson, jsonSerializer } from './json-serializer.ts'
export { generateRandomKey, type KeyMaterial } from './keys.ts'
export { codecsFromPairs, decodeMulti, encodeMulti, openMulti, sealMulti } from './multi.ts'
export { type CodecLimits, type CodecOptions, type Opened, SecureCookie } from './secure-cookie.ts'
export { deserializeWith, type Serializer, serializeWith } from './serializer.ts'
