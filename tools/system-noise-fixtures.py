#!/usr/bin/python3
"""Writes the reference fixtures that pin robustart's resizers and decoders to the real libraries.

Run with Debian's interpreter (python3-pil, python3-opencv, python3-torch, python3-torchvision):

    /usr/bin/python3 tools/system-noise-fixtures.py

Outputs (all small, committed; tests read them without Python):
  fixtures/system-noise/resize/<case>.json   one source image and, per resizer, the library's output
  fixtures/system-noise/decode/*.jpg|png     test images in the encodings decoders must handle
  fixtures/system-noise/decode/reference.json PIL (libjpeg-turbo, islow IDCT, fancy upsampling) decodes
TensorFlow is not installable here, so tf-* resizers are pinned by hand-computed values in the tests.
"""
import base64
import io
import json
import os
import sys

import cv2
import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'system-noise')

# (name, source width, source height, output width, output height, pattern)
CASES = [
    ('down-23x17-7x11', 23, 17, 7, 11, 'noise'),
    ('up-23x17-37x29', 23, 17, 37, 29, 'noise'),
    ('mixed-23x17-11x31', 23, 17, 11, 31, 'noise'),
    ('int2-24x16-12x8', 24, 16, 12, 8, 'noise'),
    ('int3-24x18-8x6', 24, 18, 8, 6, 'noise'),
    ('smooth-61x45-40x30', 61, 45, 40, 30, 'smooth'),
]

# ImageNet-typical sizes, stored as a digest of each output (the full outputs would be megabytes). The source is an
# integer-only pattern that robustart's tests regenerate bit for bit (resizers.test.ts, hashPattern).
HASH_CASES = [
    ('hash-500x375-341x256', 500, 375, 341, 256),
    ('hash-500x375-64x48', 500, 375, 64, 48),
]

PIL_FILTERS = {
    'pil-nearest': Image.NEAREST,
    'pil-bilinear': Image.BILINEAR,
    'pil-bicubic': Image.BICUBIC,
    'pil-lanczos': Image.LANCZOS,
    'pil-box': Image.BOX,
    'pil-hamming': Image.HAMMING,
}
CV2_FLAGS = {
    'cv2-nearest': cv2.INTER_NEAREST,
    'cv2-linear': cv2.INTER_LINEAR,
    'cv2-cubic': cv2.INTER_CUBIC,
    'cv2-area': cv2.INTER_AREA,
    'cv2-lanczos4': cv2.INTER_LANCZOS4,
}
# torchvision tensor resize on a uint8 CHW tensor: float32 interpolate, round, clamp (bicubic), cast.
TORCH_MODES = {
    'torch-nearest': (TF.InterpolationMode.NEAREST, False),
    'torch-bilinear': (TF.InterpolationMode.BILINEAR, False),
    'torch-bilinear-aa': (TF.InterpolationMode.BILINEAR, True),
    'torch-bicubic': (TF.InterpolationMode.BICUBIC, False),
    'torch-bicubic-aa': (TF.InterpolationMode.BICUBIC, True),
}


def source_image(width, height, pattern, rng):
    if pattern == 'noise':
        return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    # smooth gradients plus mild noise: a photo-like signal where kernels differ by a few levels
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 127.5 + 120 * np.sin(x / 5.0) * np.cos(y / 7.0)
    g = 255 * x / (width - 1)
    b = 255 * ((x + y) % 16 >= 8)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 6, size=(height, width, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def hash_pattern(width, height):
    """Smooth ramps plus 6-bit hash noise, integer arithmetic only (mod 2**32), so JavaScript can rebuild it."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    ux, uy = x.astype(np.uint64), y.astype(np.uint64)
    out = np.zeros((height, width, 3), dtype=np.uint8)
    ramps = [(x * 255) // (width - 1), np.abs((x + 2 * y) % 128 - 64) * 3, ((x // 16 + y // 16) % 2) * 160 + 40]
    for c in range(3):
        h = (ux * np.uint64(2654435761) + uy * np.uint64(40503) + np.uint64(c * 97)) & np.uint64(0xFFFFFFFF)
        noise = (h >> np.uint64(16)) & np.uint64(63)
        out[..., c] = np.clip(ramps[c] + noise.astype(np.int64) - 32, 0, 255).astype(np.uint8)
    return out


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode('ascii')


def resize_outputs(src, out_w, out_h):
    outputs = {}
    pil = Image.fromarray(src, 'RGB')
    for name, flt in PIL_FILTERS.items():
        outputs[name] = np.asarray(pil.resize((out_w, out_h), resample=flt))
    for name, flag in CV2_FLAGS.items():
        outputs[name] = cv2.resize(src, (out_w, out_h), interpolation=flag)
    chw = torch.from_numpy(src.copy()).permute(2, 0, 1).contiguous()
    for name, (mode, antialias) in TORCH_MODES.items():
        out = TF.resize(chw, [out_h, out_w], interpolation=mode, antialias=antialias)
        outputs[name] = out.permute(1, 2, 0).contiguous().numpy()
    return outputs


def write_resize_fixtures(rng):
    folder = os.path.join(ROOT, 'resize')
    os.makedirs(folder, exist_ok=True)
    for name, w, h, ow, oh, pattern in CASES:
        src = source_image(w, h, pattern, rng)
        outputs = resize_outputs(src, ow, oh)
        doc = {
            'case': name,
            'source': {'width': w, 'height': h, 'data': b64(src)},
            'output': {'width': ow, 'height': oh},
            'outputs': {k: b64(v) for k, v in outputs.items()},
        }
        with open(os.path.join(folder, f'{name}.json'), 'w') as f:
            json.dump(doc, f, indent=0)


def write_hash_fixtures():
    import hashlib
    folder = os.path.join(ROOT, 'resize')
    for name, w, h, ow, oh in HASH_CASES:
        src = hash_pattern(w, h)
        outputs = resize_outputs(src, ow, oh)
        doc = {
            'case': name,
            'source': {'width': w, 'height': h, 'pattern': 'hash', 'sha256': hashlib.sha256(src.tobytes()).hexdigest()},
            'output': {'width': ow, 'height': oh},
            'sha256': {k: hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest() for k, v in outputs.items()},
            # torch's vectorised float kernels can round a handful of x.5 values the other way; row and column sums
            # per channel let the tests bound those differences without storing the images
            'sums': {k: {'rows': v.astype(np.int64).sum(axis=1).tolist(), 'cols': v.astype(np.int64).sum(axis=0).tolist()}
                     for k, v in outputs.items() if k.startswith('torch-')},
        }
        with open(os.path.join(folder, f'{name}.json'), 'w') as f:
            json.dump(doc, f, indent=0)


def photo_like(width, height, rng):
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / 9.0 + y / 13.0)
    g = 128 + 100 * np.cos(x / 6.0) * np.sin(y / 11.0)
    b = 255 * ((x // 8 + y // 8) % 2)  # sharp chroma edges expose upsampling differences
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 10, size=(height, width, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def write_decode_fixtures(rng):
    folder = os.path.join(ROOT, 'decode')
    os.makedirs(folder, exist_ok=True)
    rgb = photo_like(67, 45, rng)  # odd sizes: partial MCUs on both edges
    pil = Image.fromarray(rgb, 'RGB')
    files = {}

    def save(name, image, **kw):
        path = os.path.join(folder, name)
        image.save(path, **kw)
        files[name] = path

    save('rgb-420.jpg', pil, quality=85, subsampling=2)
    save('rgb-444.jpg', pil, quality=90, subsampling=0)
    save('rgb-420-progressive.jpg', pil, quality=80, subsampling=2, progressive=True)
    save('gray.jpg', pil.convert('L'), quality=85)
    save('cmyk.jpg', pil.convert('CMYK'), quality=90)
    save('rgb.png', pil)
    save('gray.png', pil.convert('L'))
    rgba = pil.convert('RGBA')
    alpha = Image.fromarray(np.tile(np.linspace(0, 255, 67).astype(np.uint8), (45, 1)), 'L')
    rgba.putalpha(alpha)
    save('rgba.png', rgba)

    # PIL's decode through Debian's libjpeg-turbo (islow IDCT, fancy upsampling) and its PNG reader,
    # converted to RGB the way timm's loader does (Image.convert('RGB'): alpha dropped).
    reference = {}
    for name, path in sorted(files.items()):
        with Image.open(path) as im:
            mode = im.mode
            arr = np.asarray(im.convert('RGB'))
        reference[name] = {'mode': mode, 'width': arr.shape[1], 'height': arr.shape[0], 'data': b64(arr)}
    with open(os.path.join(folder, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=0)


def main():
    rng = np.random.default_rng(20240611)
    write_resize_fixtures(rng)
    write_hash_fixtures()
    write_decode_fixtures(rng)
    versions = {
        'python': sys.version.split()[0],
        'pillow': PIL.__version__,
        'opencv': cv2.__version__,
        'torch': torch.__version__,
        'torchvision': torchvision.__version__,
        'numpy': np.__version__,
    }
    with open(os.path.join(ROOT, 'versions.json'), 'w') as f:
        json.dump(versions, f, indent=1)
    print('wrote fixtures under', os.path.normpath(ROOT), versions)


if __name__ == '__main__':
    main()
