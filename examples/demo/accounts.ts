/**
 * @module The demo's users: a name is claimed by its first sign-in, with a password, for the life
 * of the process. Without it anyone typing a name would be that user and could list and revoke
 * their sessions. Passwords are kept as scrypt hashes, compared in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const derive = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  size: number,
) => Promise<Buffer>

interface Account {
  salt: Buffer
  hash: Buffer
}

/** What a sign-in attempt comes to. */
export type SignInCheck = 'ok' | 'wrong-password' | 'name-in-use'

/** The accounts of one demo process. */
export class Accounts {
  readonly #accounts = new Map<string, Account>()

  /**
   * Checks `password` for `name`, claiming the name when it is new. `hasSessions` tells whether
   * the name already owns live sessions (from before a restart, when the keys were kept): such a
   * name cannot be claimed anew, or its sessions would go to whoever claims it first.
   */
  async check(
    name: string,
    password: string,
    hasSessions: () => Promise<boolean>,
  ): Promise<SignInCheck> {
    const known = this.#accounts.get(name)
    if (known !== undefined) return (await matches(known, password)) ? 'ok' : 'wrong-password'
    if (await hasSessions()) return 'name-in-use'
    const salt = randomBytes(16)
    const hash = await derive(password, salt, 32)
    // Another request may have claimed the name while this one hashed: the first claim wins.
    const raced = this.#accounts.get(name)
    if (raced !== undefined) return (await matches(raced, password)) ? 'ok' : 'wrong-password'
    this.#accounts.set(name, { salt, hash })
    return 'ok'
  }
}

async function matches(account: Account, password: string): Promise<boolean> {
  return timingSafeEqual(await derive(password, account.salt, 32), account.hash)
}
