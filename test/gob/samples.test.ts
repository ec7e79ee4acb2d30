import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gobSerializer } from '../../src/codec/gob/index.ts'
import { DecodeError, UsageError } from '../../src/errors.ts'
import { fromHex, gobPayloads, gobSamples, toHex, toJs } from './go-values.ts'

const ok = gobSamples.filter((s) => s.error === undefined)
const failing = gobSamples.filter((s) => s.error !== undefined)

describe('gob_samples from Go', () => {
  it('has the samples this suite expects', () => {
    assert.ok(ok.length >= 20)
    assert.equal(failing.length, 2)
  })

  for (const sample of ok) {
    describe(sample.id, () => {
      const bytes = fromHex(sample.hex)
      const expected = toJs(sample.value, false)

      it('decodes to the recorded value', () => {
        assert.deepStrictEqual(gobSerializer.deserialize(bytes), expected)
      })

      it('re-encodes to bytes our reader decodes to the same value', () => {
        const again = gobSerializer.serialize(gobSerializer.deserialize(bytes))
        assert.deepStrictEqual(gobSerializer.deserialize(again), expected)
      })

      if (sample.deterministic) {
        it("encodes the Go-typed value to exactly Go's bytes", () => {
          assert.equal(toHex(gobSerializer.serialize(toJs(sample.value, true))), sample.hex)
        })
      }
    })
  }
})

describe('Go encode errors have JavaScript counterparts', () => {
  it('map-time-unregistered: a Date value is refused when serializing', () => {
    const sample = failing.find((s) => s.id === 'map-time-unregistered')
    assert.match(sample?.error ?? '', /type not registered for interface: time\.Time/)
    const value = { created_on: new Date(Date.UTC(2023, 10, 14, 22, 13, 20)) }
    assert.throws(
      () => gobSerializer.serialize(value),
      (err) =>
        err instanceof UsageError && err.code === 'ERR_SERIALIZE' && /Date/.test(err.message),
    )
  })

  it('map-nested-unregistered: a map[string]string sent by Go is refused when deserializing', () => {
    const sample = failing.find((s) => s.id === 'map-nested-unregistered')
    assert.match(sample?.error ?? '', /map\[string\]string/)
    // What a Go program that registered map[string]string would send for {"m": {"a": "b"}}:
    // the map[interface{}]interface{} definition (id 65), then a value whose entry defines id 66
    // as MapT{Key: string, Elem: string} before the nested map.
    const name = Buffer.from('map[string]string')
    const def = [0xff, 0x83, 0x04, 0x01, 0x02, 0xff, 0x84, 0x00, 0x01, 0x0c, 0x01, 0x0c, 0x00, 0x00]
    const head = [
      ...[0xff, 0x82, 0x00, 0x01],
      ...[0x06, ...Buffer.from('string'), 0x0c, 0x03, 0x00, 0x01, ...Buffer.from('m')],
      ...[name.length, ...name],
      ...def,
    ]
    const tail = [0xff, 0x84, 0x06, 0x00, 0x01, 0x01, 0x61, 0x01, 0x62]
    const bytes = Uint8Array.from([
      ...fromHex('0eff81040102ff8200011001100000'),
      head.length,
      ...head,
      tail.length,
      ...tail,
    ])
    assert.throws(
      () => gobSerializer.deserialize(bytes),
      (err) =>
        err instanceof DecodeError &&
        err.code === 'ERR_COOKIE_DESERIALIZE' &&
        err.message.includes('map[string]string'),
    )
  })
})

describe('gob payloads inside the securecookie vectors', () => {
  it('covers every gob encode and fixed vector', () => {
    assert.ok(gobPayloads.length >= 100)
  })

  for (const payload of gobPayloads) {
    it(`${payload.id}: decodes, and re-encodes to Go's bytes when deterministic`, () => {
      const bytes = fromHex(payload.hex)
      assert.deepStrictEqual(gobSerializer.deserialize(bytes), toJs(payload.value, false))
      if (payload.deterministic) {
        assert.equal(toHex(gobSerializer.serialize(toJs(payload.value, true))), payload.hex)
      }
    })
  }
})
