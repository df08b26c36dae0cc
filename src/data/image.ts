// The two image forms every stage exchanges. Both are interleaved RGB (HWC), row-major.

/** 8-bit sRGB image as decoders produce it. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** length width*height*3, values 0..255, order R,G,B per pixel */
  readonly data: Uint8Array;
}

/** Float RGB image in [0,1], the space natural noise and the model input live in. */
export interface FloatImage {
  readonly width: number;
  readonly height: number;
  /** length width*height*3, order R,G,B per pixel */
  readonly data: Float32Array;
}

export function toFloatImage(image: RgbImage): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = image.data[i] / 255;
  return { width: image.width, height: image.height, data };
}

/** Clips to [0,1] and rounds to the nearest 8-bit level, as saving to an image file does. */
export function toRgbImage(image: FloatImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = toLevel(image.data[i]);
  return { width: image.width, height: image.height, data };
}

/** A float sample as the 8-bit level a saved image holds: rounded, clipped to 0..255, NaN -> 0. */
export function toLevel(v: number): number {
  return v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
}

/** Writes an HWC float image into a CHW slot of a batch tensor (the layout ONNX image models take). */
export function writeChw(image: FloatImage, batch: Float32Array, offset: number): void {
  const plane = image.width * image.height;
  const src = image.data;
  for (let p = 0; p < plane; p++) {
    batch[offset + p] = src[3 * p];
    batch[offset + plane + p] = src[3 * p + 1];
    batch[offset + 2 * plane + p] = src[3 * p + 2];
  }
}

/** The window (left, top, width, height) of an image; parts outside the image are zeros, as torchvision pads. */
export function crop(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) {
    return padCrop(image, left, top, width, height);
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(src, src + width * 3), y * width * 3);
  }
  return { width, height, data };
}

function padCrop(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= image.width) continue;
      const s = (sy * image.width + sx) * 3;
      const d = (y * width + x) * 3;
      data[d] = image.data[s];
      data[d + 1] = image.data[s + 1];
      data[d + 2] = image.data[s + 2];
    }
  }
  return { width, height, data };
}

