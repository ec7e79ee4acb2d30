/**
 * @module Type-level assertions for the files in test/types, checked by `npm run typecheck`: a
 * wrong type is a compile error there, as is an `@ts-expect-error` line that compiles.
 */

/** `true` when `A` and `B` are the same type (not merely assignable either way), else `false`. */
export type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

/** `true` when `T` is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false

/** Compiles only when `value`'s type is `true`: `expectTrue<Equals<A, B>>(true)`. */
export function expectTrue<T extends true>(_value: T): void {}

/** Compiles only when `value`'s type is `false`. */
export function expectFalse<T extends false>(_value: T): void {}
