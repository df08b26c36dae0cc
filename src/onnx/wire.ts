// A schema-driven protobuf wire codec (proto2 semantics) that keeps what it does not know.
//
// Messages decode to plain objects with camelCase fields. Every field number the schema does not name is
// kept as its raw bytes (tag included), and the order in which fields arrived is remembered, so encoding
// a decoded message gives back the same bytes (fields newer than the schema included) and a rewrite
// changes only what it touched. Wire format facts: https://protobuf.dev/programming-guides/encoding/.

/** A 64-bit integer: a number while it is a safe integer, a bigint beyond (INT64_MAX stays exact). */
export type Int64 = number | bigint;

export type ScalarKind = 'string' | 'bytes' | 'int32' | 'int64' | 'uint64' | 'float' | 'double';

/** One field of a message schema: its number, its kind (a scalar or another message) and its multiplicity. */
export interface FieldSpec {
  readonly number: number;
  readonly kind: ScalarKind | (() => MessageSchema);
  readonly repeated: boolean;
  /** Repeated scalars written packed (the schema's [packed = true]); both forms are read either way. */
  readonly packed: boolean;
}

export interface MessageSchema {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

type Flag = 'repeated' | 'packed';

/** A field entry for a schema table: field(1, 'string'), field(5, () => NODE, 'repeated'). */
export function field(number: number, kind: FieldSpec['kind'], ...flags: Flag[]): FieldSpec {
  return { number, kind, repeated: flags.includes('repeated') || flags.includes('packed'), packed: flags.includes('packed') };
}

/**
 * How a decoded message arrived: known fields by number (at their first occurrence) and unknown fields
 * as raw bytes, in arrival order; `packedAs` notes repeated scalars written in the other form than
 * the schema's. Kept as a non-enumerable symbol property: deep equality of messages ignores it, and a
 * spread copy of a message is a new message (written in field-number order, without the unknown fields).
 */
export interface WireLayout {
  readonly order: (number | Uint8Array)[];
  readonly packedAs: Map<number, boolean>;
}
export const WIRE_LAYOUT: unique symbol = Symbol('robustart.wireLayout');

export class WireError extends Error {}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const FIXED32 = 5;

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

// Per-schema lookup by field number and the numbers in ascending order, built on first use.
interface SchemaIndex {
  readonly byNumber: Map<number, [string, FieldSpec]>;
  readonly ascending: number[];
}
const indexCache = new WeakMap<MessageSchema, SchemaIndex>();
function indexOf(schema: MessageSchema): SchemaIndex {
  let index = indexCache.get(schema);
  if (!index) {
    const byNumber = new Map(Object.entries(schema.fields).map(([name, spec]) => [spec.number, [name, spec] as [string, FieldSpec]]));
    index = { byNumber, ascending: [...byNumber.keys()].sort((a, b) => a - b) };
    indexCache.set(schema, index);
  }
  return index;
}

class Reader {
  pos: number;
  private view: DataView | undefined;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  private dataView(): DataView {
    return (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** A varint as an unsigned 64-bit bigint (the slow path, for values of 2^49 and beyond). */
  private varintBig(start: number): bigint {
    this.pos = start;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint: a number when it has at most 7 bytes (below 2^49), else an unsigned 64-bit bigint. */
  varint(): number | bigint {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return this.varintBig(start);
  }

  length(): number {
    const n = this.varint();
    if (typeof n !== 'number' || this.pos + n > this.end) throw new WireError('length past the end of the message');
    return n;
  }

  fixed32(): DataView {
    if (this.pos + 4 > this.end) throw new WireError('truncated fixed32');
    this.pos += 4;
    return this.dataView();
  }

  fixed64(): DataView {
    if (this.pos + 8 > this.end) throw new WireError('truncated fixed64');
    this.pos += 8;
    return this.dataView();
  }

  /** Skips one value of the given wire type (groups included). */
  skip(wireType: number, fieldNumber: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        this.fixed64();
        return;
      case LENGTH_DELIMITED: {
        const n = this.length(); // read first: it moves pos past the length
        this.pos += n;
        return;
      }
      case START_GROUP:
        for (;;) {
          const tag = this.varint();
          if (typeof tag !== 'number') throw new WireError('field tag out of range');
          if ((tag & 7) === END_GROUP) {
            if (tag >>> 3 !== fieldNumber) throw new WireError('unbalanced group');
            return;
          }
          this.skip(tag & 7, tag >>> 3);
        }
      case FIXED32:
        this.fixed32();
        return;
      default:
        throw new WireError(`invalid wire type ${wireType}`);
    }
  }
}

const asInt64 = (v: number | bigint): Int64 => {
  if (typeof v === 'number') return v;
  const signed = BigInt.asIntN(64, v);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
};
const asUint64 = (v: number | bigint): Int64 => (typeof v === 'number' || v > BigInt(Number.MAX_SAFE_INTEGER) ? v : Number(v));
const asInt32 = (v: number | bigint): number => (typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, v)));

function readScalar(r: Reader, kind: ScalarKind): unknown {
  switch (kind) {
    case 'int32':
      return asInt32(r.varint());
    case 'int64':
      return asInt64(r.varint());
    case 'uint64':
      return asUint64(r.varint());
    case 'float':
      return r.fixed32().getFloat32(r.pos - 4, true);
    case 'double':
      return r.fixed64().getFloat64(r.pos - 8, true);
    case 'string': {
      const n = r.length();
      const s = utf8Decoder.decode(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return s;
    }
    case 'bytes': {
      const n = r.length();
      const b = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      return b;
    }
  }
}

const wireTypeOf = (kind: FieldSpec['kind']): number =>
  kind === 'float' ? FIXED32 : kind === 'double' ? FIXED64 : kind === 'int32' || kind === 'int64' || kind === 'uint64' ? VARINT : LENGTH_DELIMITED;

function decodeFrom(r: Reader, schema: MessageSchema): Record<string, unknown> {
  const out: Record<string | symbol, unknown> = {};
  const layout: WireLayout = { order: [], packedAs: new Map() };
  const seen = new Set<number>();
  const fields = indexOf(schema).byNumber;
  while (r.pos < r.end) {
    const tagStart = r.pos;
    const tag = r.varint();
    if (typeof tag !== 'number' || tag < 8) throw new WireError('invalid field tag');
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    const known = fields.get(number);
    const spec = known?.[1];
    const expected = spec ? wireTypeOf(spec.kind) : -1;
    const packedHere = spec !== undefined && spec.repeated && expected !== LENGTH_DELIMITED && wireType === LENGTH_DELIMITED;
    if (!known || !spec || (wireType !== expected && !packedHere)) {
      // Not in the schema (or not in the form it declares): kept verbatim.
      r.skip(wireType, number);
      layout.order.push(r.buf.slice(tagStart, r.pos));
      continue;
    }
    const [name] = known;
    if (!seen.has(number)) {
      seen.add(number);
      layout.order.push(number);
      if (spec.repeated && expected !== LENGTH_DELIMITED && packedHere !== spec.packed) layout.packedAs.set(number, packedHere);
    }
    if (typeof spec.kind === 'function') {
      const n = r.length();
      const value = decodeFrom(new Reader(r.buf, r.pos, r.pos + n), spec.kind());
      r.pos += n;
      if (spec.repeated) ((out[name] as unknown[] | undefined) ?? (out[name] = [])).push(value);
      else out[name] = value;
    } else if (packedHere) {
      const n = r.length();
      const end = r.pos + n;
      const list = (out[name] as unknown[] | undefined) ?? (out[name] = []);
      const sub = new Reader(r.buf, r.pos, end);
      while (sub.pos < end) list.push(readScalar(sub, spec.kind));
      r.pos = end;
    } else if (spec.repeated) {
      ((out[name] as unknown[] | undefined) ?? (out[name] = [])).push(readScalar(r, spec.kind));
    } else {
      out[name] = readScalar(r, spec.kind);
    }
  }
  if (r.pos !== r.end) throw new WireError('field runs past the end of its message');
  Object.defineProperty(out, WIRE_LAYOUT, { value: layout, enumerable: false });
  return out;
}

/** Decodes `bytes` as a message of `schema`; throws WireError on malformed input. */
export function decodeMessage<T>(bytes: Uint8Array, schema: MessageSchema): T {
  return decodeFrom(new Reader(bytes, 0, bytes.length), schema) as T;
}

// Encoding runs in two passes over the same field sequence: sizes first (nested message sizes
// remembered per object), then one write into a buffer of exactly that size.

type Item = { readonly spec: FieldSpec; readonly name: string; readonly value: unknown; readonly packed: boolean; readonly owner: string } | Uint8Array;

/** The fields to write, in the order they arrived (unknown ones as raw bytes), then fields set since, by number. */
function itemsOf(message: Record<string | symbol, unknown>, schema: MessageSchema): Item[] {
  const { byNumber, ascending } = indexOf(schema);
  const layout = message[WIRE_LAYOUT] as WireLayout | undefined;
  const order = layout?.order ?? [];
  const items: Item[] = [];
  const add = (number: number): void => {
    const [name, spec] = byNumber.get(number)!;
    const value = message[name];
    if (value === undefined || value === null || (spec.repeated && (value as unknown[]).length === 0)) return;
    const packed = spec.repeated && wireTypeOf(spec.kind) !== LENGTH_DELIMITED && (layout?.packedAs.get(number) ?? spec.packed);
    items.push({ spec, name, value, packed, owner: schema.name });
  };
  // A known number appears in the layout once, at its first arrival.
  for (const entry of order) {
    if (typeof entry !== 'number') items.push(entry);
    else if (byNumber.has(entry)) add(entry);
  }
  for (const number of ascending) if (!order.includes(number)) add(number);
  return items;
}

const varintSize = (v: number | bigint): number => {
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
    let n = 1;
    while (v >= 128) {
      v = Math.floor(v / 128);
      n++;
    }
    return n;
  }
  let b = BigInt.asUintN(64, BigInt(v));
  let n = 1;
  while (b >= 128n) {
    b >>= 7n;
    n++;
  }
  return n;
};

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // lone surrogates become U+FFFD, three bytes
  }
  return n;
}

/** Names a field in an error: the message type and the field. */
interface FieldRef {
  readonly owner: string;
  readonly name: string;
}

function integerOf(value: unknown, kind: ScalarKind, where: FieldRef): number | bigint {
  if (typeof value === 'bigint') return kind === 'int32' ? Number(BigInt.asIntN(32, value)) : value;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new WireError(`${where.owner}.${where.name} must be an integer, got ${String(value)}`);
  return kind === 'int32' ? n | 0 : n;
}

class Sizer {
  readonly messages = new Map<object, { size: number; items: Item[] }>();

  message(message: object, schema: MessageSchema): number {
    const known = this.messages.get(message);
    if (known) return known.size;
    const items = itemsOf(message as Record<string | symbol, unknown>, schema);
    let size = 0;
    for (const item of items) size += item instanceof Uint8Array ? item.length : this.field(item);
    this.messages.set(message, { size, items });
    return size;
  }

  private field(item: Exclude<Item, Uint8Array>): number {
    const { spec, value, packed } = item;
    const tag = varintSize(spec.number * 8);
    const kind = spec.kind;
    const values = spec.repeated ? (value as unknown[]) : [value];
    if (typeof kind === 'function') {
      let n = 0;
      for (const v of values) {
        const inner = this.message(v as object, kind());
        n += tag + varintSize(inner) + inner;
      }
      return n;
    }
    let body = 0;
    for (const v of values) body += this.scalar(kind, v, item);
    return packed ? tag + varintSize(body) + body : tag * values.length + body;
  }

  scalar(kind: ScalarKind, value: unknown, where: FieldRef): number {
    switch (kind) {
      case 'float':
        return 4;
      case 'double':
        return 8;
      case 'string': {
        const n = utf8Length(String(value));
        return varintSize(n) + n;
      }
      case 'bytes': {
        const n = (value as Uint8Array).length;
        return varintSize(n) + n;
      }
      default:
        return varintSize(integerOf(value, kind, where));
    }
  }
}

class Writer {
  pos = 0;
  readonly view: DataView;
  constructor(readonly out: Uint8Array, readonly sizes: Sizer) {
    this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }

  varint(value: number | bigint): void {
    const out = this.out;
    if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      while (value >= 128) {
        out[this.pos++] = (value % 128) | 0x80;
        value = Math.floor(value / 128);
      }
      out[this.pos++] = value;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 128n) {
      out[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    out[this.pos++] = Number(v);
  }

  message(message: object): void {
    for (const item of this.sizes.messages.get(message)!.items) {
      if (item instanceof Uint8Array) {
        this.out.set(item, this.pos);
        this.pos += item.length;
      } else this.field(item);
    }
  }

  private field(item: Exclude<Item, Uint8Array>): void {
    const { spec, value, packed } = item;
    const kind = spec.kind;
    const values = spec.repeated ? (value as unknown[]) : [value];
    if (typeof kind === 'function') {
      for (const v of values) {
        this.varint(spec.number * 8 + LENGTH_DELIMITED);
        this.varint(this.sizes.messages.get(v as object)!.size);
        this.message(v as object);
      }
      return;
    }
    if (packed) {
      let body = 0;
      for (const v of values) body += this.sizes.scalar(kind, v, item);
      this.varint(spec.number * 8 + LENGTH_DELIMITED);
      this.varint(body);
      for (const v of values) this.scalar(kind, v, item);
      return;
    }
    const tag = spec.number * 8 + wireTypeOf(kind);
    for (const v of values) {
      this.varint(tag);
      this.scalar(kind, v, item);
    }
  }

  private scalar(kind: ScalarKind, value: unknown, where: FieldRef): void {
    switch (kind) {
      case 'float':
        this.view.setFloat32(this.pos, Number(value), true);
        this.pos += 4;
        return;
      case 'double':
        this.view.setFloat64(this.pos, Number(value), true);
        this.pos += 8;
        return;
      case 'string': {
        const s = String(value);
        this.varint(utf8Length(s));
        this.pos += utf8Encoder.encodeInto(s, this.out.subarray(this.pos)).written;
        return;
      }
      case 'bytes': {
        const b = value as Uint8Array;
        this.varint(b.length);
        this.out.set(b, this.pos);
        this.pos += b.length;
        return;
      }
      default:
        this.varint(integerOf(value, kind, where));
    }
  }
}

/** Encodes a message of `schema` (a decoded one comes back byte for byte, unknown fields included). */
export function encodeMessage(message: object, schema: MessageSchema): Uint8Array {
  const sizes = new Sizer();
  const out = new Uint8Array(sizes.message(message, schema));
  const w = new Writer(out, sizes);
  w.message(message);
  if (w.pos !== out.length) throw new WireError(`${schema.name}: wrote ${w.pos} bytes, expected ${out.length}`);
  return out;
}
