/**
 * The long-connection frame (pbbp2.Frame, PROTOCOLS.md F5), encoded by hand from its field list so
 * the fake does not borrow the SDK's own codec: 1 SeqID, 2 LogID (uint64), 3 service, 4 method
 * (int32), 5 headers {1 key, 2 value}, 6 payloadEncoding, 7 payloadType, 8 payload, 9 LogIDNew.
 */
export interface Frame {
  SeqID: number
  LogID: number
  service: number
  method: number
  headers: { key: string; value: string }[]
  payload?: Uint8Array
}

function varint(value: number | bigint): number[] {
  let v = BigInt(value)
  if (v < 0n) v += 1n << 64n
  const bytes: number[] = []
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) byte |= 0x80
    bytes.push(byte)
  } while (v > 0n)
  return bytes
}

function field(number: number, wireType: number): number[] {
  return varint((number << 3) | wireType)
}

function bytesField(number: number, data: Uint8Array): number[] {
  return [...field(number, 2), ...varint(data.length), ...data]
}

const utf8 = (text: string) => new TextEncoder().encode(text)

export function encodeFrame(frame: Frame): Buffer {
  const out: number[] = [
    ...field(1, 0), ...varint(frame.SeqID),
    ...field(2, 0), ...varint(frame.LogID),
    ...field(3, 0), ...varint(frame.service),
    ...field(4, 0), ...varint(frame.method),
  ]
  for (const header of frame.headers) out.push(...bytesField(5, new Uint8Array([...bytesField(1, utf8(header.key)), ...bytesField(2, utf8(header.value))])))
  if (frame.payload) out.push(...bytesField(8, frame.payload))
  return Buffer.from(out)
}

class Reader {
  offset = 0
  constructor(readonly data: Uint8Array) {}
  get done() {
    return this.offset >= this.data.length
  }
  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      const byte = this.data[this.offset++]
      if (byte === undefined) throw new Error('truncated varint')
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result
      shift += 7n
    }
  }
  bytes(): Uint8Array {
    const length = Number(this.varint())
    const slice = this.data.subarray(this.offset, this.offset + length)
    this.offset += length
    return slice
  }
}

export function decodeFrame(data: Uint8Array): Frame {
  const reader = new Reader(data)
  const frame: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] }
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
  while (!reader.done) {
    const key = Number(reader.varint())
    const [number, wireType] = [key >> 3, key & 7]
    if (wireType === 0) {
      const value = Number(BigInt.asIntN(64, reader.varint()))
      if (number === 1) frame.SeqID = value
      else if (number === 2) frame.LogID = value
      else if (number === 3) frame.service = value
      else if (number === 4) frame.method = value
    } else if (wireType === 2) {
      const bytes = reader.bytes()
      if (number === 5) {
        const header = new Reader(bytes)
        const entry = { key: '', value: '' }
        while (!header.done) {
          const tag = Number(header.varint()) >> 3
          const value = text(header.bytes())
          if (tag === 1) entry.key = value
          else if (tag === 2) entry.value = value
        }
        frame.headers.push(entry)
      } else if (number === 8) frame.payload = bytes
    } else {
      throw new Error(`unexpected wire type ${wireType}`)
    }
  }
  return frame
}
