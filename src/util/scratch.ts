// Work buffers reused from call to call. A fresh typed array costs a page fault per 4 KiB the first time it is
// written (about 0.4 ms for one 224x224x3 float image on the bench machine, more than many whole passes), so the
// intermediates that never leave a function come from here: one buffer per purpose, zeroed like a new array.
// Only for values that die before the function returns; a corruption or a projection runs to completion before the
// next starts (each worker thread has its own module state).

type TypedArrayOf<T> = T extends Float32ArrayConstructor ? Float32Array<ArrayBuffer> : T extends Int32ArrayConstructor ? Int32Array<ArrayBuffer> : T extends Uint8ArrayConstructor ? Uint8Array<ArrayBuffer> : T extends Float64ArrayConstructor ? Float64Array<ArrayBuffer> : never;
type Constructor = Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Float64ArrayConstructor;

const buffers = new Map<string, ArrayBuffer>();

/** A zeroed array of `length` elements over the buffer kept for `purpose` (grown when too small). */
export function scratch<C extends Constructor>(purpose: string, type: C, length: number): TypedArrayOf<C> {
  const bytes = length * type.BYTES_PER_ELEMENT;
  let buffer = buffers.get(purpose);
  if (!buffer || buffer.byteLength < bytes) {
    buffer = new ArrayBuffer(bytes);
    buffers.set(purpose, buffer);
  }
  const view = new type(buffer, 0, length);
  view.fill(0);
  return view as TypedArrayOf<C>;
}
