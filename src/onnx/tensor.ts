// TensorProto <-> typed arrays.
import { DataType, type TensorProto } from './proto.js';
import { RobustartError } from '../errors.js';

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export function dimsOf(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => Number(d));
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function viewRaw<T>(raw: Uint8Array, ctor: { new (b: ArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number }, n: number): T {
  // Copy into a fresh buffer: raw_data may be an unaligned view into the protobuf bytes (and on a
  // Node Buffer, slice() returns a view, not a copy).
  const copy = new Uint8Array(raw);
  return new ctor(copy.buffer, 0, n);
}

/** The tensor's values as a typed array (float, double, int32, int64, uint8, int8, bool). */
export function tensorValues(t: TensorProto): NumericArray {
  const n = elementCount(dimsOf(t));
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  switch (t.dataType) {
    case DataType.FLOAT:
      return raw ? viewRaw(raw, Float32Array, n) : Float32Array.from(t.floatData ?? []);
    case DataType.DOUBLE:
      return raw ? viewRaw(raw, Float64Array, n) : Float64Array.from(t.doubleData ?? []);
    case DataType.INT32:
      return raw ? viewRaw(raw, Int32Array, n) : Int32Array.from(t.int32Data ?? []);
    case DataType.INT64:
      return raw ? viewRaw(raw, BigInt64Array, n) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v.toString())));
    case DataType.UINT8:
    case DataType.BOOL:
      return raw ? new Uint8Array(raw) : Uint8Array.from(t.int32Data ?? []);
    case DataType.INT8:
      return raw ? new Int8Array(new Uint8Array(raw).buffer) : Int8Array.from(t.int32Data ?? []);
    default:
      throw new RobustartError(`tensor ${t.name ?? '?'} has data type ${t.dataType}, which robustart cannot read yet; convert the model to float32`);
  }
}

const typeOfArray = (data: NumericArray): number => {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Float64Array) return DataType.DOUBLE;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int8Array) return DataType.INT8;
  return DataType.UINT8;
};

/** A TensorProto holding `data` as raw little-endian bytes. */
export function makeTensor(name: string, dims: readonly number[], data: NumericArray, dataType = typeOfArray(data)): TensorProto {
  if (elementCount(dims) !== data.length) {
    throw new RobustartError(`tensor ${name}: dims [${dims.join(',')}] hold ${elementCount(dims)} values but ${data.length} were given`);
  }
  return {
    name,
    dims: [...dims],
    dataType,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}
