/**
 * @module Go gob encoding for pgstore's cookies and rows: the serializer, the `GoNumber` wrappers
 * that pin a number's Go type, and the value types.
 */

export { gobSerializer } from './gob-serializer.ts'
export type {
  GobKey,
  GobMap,
  GobObject,
  GobValue,
  GoFloatType,
  GoIntType,
  GoNumberType,
  GoUintType,
} from './types.ts'
export {
  GoNumber,
  goFloat32,
  goFloat64,
  goInt,
  goInt8,
  goInt16,
  goInt32,
  goInt64,
  goUint,
  goUint8,
  goUint16,
  goUint32,
  goUint64,
  goUintptr,
} from './types.ts'
