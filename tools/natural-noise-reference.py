#!/usr/bin/python3
"""Reference outputs of the OpenCV / PIL / colorsys operations that robustart's ImageNet-C corruptions
reimplement (the disk kernel and filter2D of defocus_blur, PIL BOX + NEAREST of pixelate, HSV of brightness
and saturate, Canny / distanceTransform / equalizeHist / filter2D of spatter), on a small fixed image.

Also scipy / scikit-image for gaussian_blur (skimage.filters.gaussian), zoom_blur (scipy.ndimage.zoom) and
elastic_transform's smoothing and resampling (gaussian with mode 'reflect', truncate 3; map_coordinates order 1,
mode 'reflect') given fixed noise fields.

Run with the system Python (needs numpy, opencv, PIL, scipy, skimage; Debian python3-scipy python3-skimage):
  /usr/bin/python3 tools/natural-noise-reference.py > src/noise/natural/fixtures/library-reference.json
The corruption code itself is never run here; only the library operations, so the test compares the
TypeScript reimplementation with the libraries the reference (imagecorruptions) calls.
"""
import colorsys
import json
import sys

import cv2
import numpy as np
from PIL import Image

W, H = 24, 20
rng = np.random.RandomState(7)
# Smooth structure plus noise so blurs and edges have something to act on.
yy, xx = np.mgrid[0:H, 0:W]
base = 0.5 + 0.3 * np.sin(xx / 3.0)[..., None] * np.cos(yy / 4.0)[..., None] * np.array([1.0, 0.6, -0.8])
img = np.clip(base + 0.1 * rng.rand(H, W, 3), 0, 1)
img8 = np.uint8(np.round(img * 255))
x = img8 / 255.0

out = {"width": W, "height": H, "image": img8.flatten().tolist(), "opencv": cv2.__version__}

# defocus_blur: anti-aliased disk (cv2.GaussianBlur of the aliased disk), cv2.filter2D per channel.
defocus = []
for radius, alias in [(3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)]:
    L = np.arange(-8, 9) if radius <= 8 else np.arange(-radius, radius + 1)
    ksize = (3, 3) if radius <= 8 else (5, 5)
    X, Y = np.meshgrid(L, L)
    disk = np.array((X ** 2 + Y ** 2) <= radius ** 2, dtype=np.float32)
    disk /= disk.sum()
    kernel = cv2.GaussianBlur(disk, ksize=ksize, sigmaX=alias)
    channels = [cv2.filter2D(x[:, :, d].astype(np.float32), -1, kernel) for d in range(3)]
    defocus.append(np.stack(channels, axis=2).flatten().tolist())
out["defocus_blur"] = defocus

# pixelate: PIL BOX down to int(size * c), NEAREST back up (uint8 like the reference).
pix = []
for c in [0.6, 0.5, 0.4, 0.3, 0.25]:
    p = Image.fromarray(img8).resize((int(W * c), int(H * c)), Image.BOX).resize((W, H), Image.NEAREST)
    pix.append(np.array(p).flatten().tolist())
out["pixelate"] = pix

# brightness / saturate through HSV (colorsys uses the same hexcone formulas as skimage).
def hsv_map(fn):
    res = np.zeros_like(x)
    for i in range(H):
        for j in range(W):
            h, s, v = colorsys.rgb_to_hsv(*x[i, j])
            h, s, v = fn(h, s, v)
            res[i, j] = colorsys.hsv_to_rgb(h, s, v)
    return np.clip(res, 0, 1).flatten().tolist()

out["brightness"] = [hsv_map(lambda h, s, v, c=c: (h, s, min(max(v + c, 0), 1))) for c in [0.1, 0.2, 0.3, 0.4, 0.5]]
out["saturate"] = [hsv_map(lambda h, s, v, c=c: (h, min(max(s * c[0] + c[1], 0), 1), v)) for c in [(0.3, 0), (0.1, 0), (2, 0), (5, 0.1), (20, 0.2)]]

# spatter's OpenCV steps on an 8-bit single-channel field.
field = np.uint8(np.clip(cv2.GaussianBlur(rng.rand(40, 48).astype(np.float32), (0, 0), 1.5) * 255 * 1.6 - 120, 0, 255))
out["field"] = {"width": 48, "height": 40, "data": field.flatten().tolist()}
edges = cv2.Canny(field, 50, 150)
out["canny"] = edges.flatten().tolist()
dist = cv2.distanceTransform(255 - edges, cv2.DIST_L2, 5)
out["distance"] = dist.flatten().tolist()
out["equalized"] = cv2.equalizeHist(field).flatten().tolist()
ker = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
out["embossed"] = cv2.filter2D(field, cv2.CV_8U, ker).flatten().tolist()

def rounded(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


# gaussian_blur: skimage.filters.gaussian (mode 'nearest', truncate 4), per channel.
from scipy.ndimage import map_coordinates
from scipy.ndimage import zoom as scizoom
from skimage.filters import gaussian

out["gaussian_blur"] = [np.clip(gaussian(x, sigma=c, channel_axis=-1), 0, 1).flatten().tolist() for c in [1, 2, 3, 4, 6]]


# zoom_blur: mean of the image and its clipped zooms (scipy.ndimage.zoom, order 1) over numpy.arange factors.
def clipped_zoom(img, zoom_factor):
    h, w = img.shape[:2]
    ch, cw = int(np.ceil(h / zoom_factor)), int(np.ceil(w / zoom_factor))
    top, left = (h - ch) // 2, (w - cw) // 2
    img = scizoom(img[top:top + ch, left:left + cw], (zoom_factor, zoom_factor, 1), order=1)
    trim_top, trim_left = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
    return img[trim_top:trim_top + h, trim_left:trim_left + w]


zooms = []
for stop, step in [(1.11, 0.01), (1.16, 0.01), (1.21, 0.02), (1.26, 0.02), (1.31, 0.03)]:
    factors = np.arange(1, stop, step)
    xf = x.astype(np.float32)
    acc = np.zeros_like(xf)
    for z in factors:
        acc += clipped_zoom(xf, z)
    zooms.append(np.clip((xf + acc) / (len(factors) + 1), 0, 1).flatten().tolist())
out["zoom_blur"] = zooms

# elastic_transform given its two uniform noise fields: smooth (sigma 0.01 * size, reflect, truncate 3), scale by
# alpha, resample bilinearly at (y + dy, x + dx) with reflected borders.
ux = rng.uniform(-H * 0.005, H * 0.005, size=(H, W))
uy = rng.uniform(-H * 0.005, H * 0.005, size=(H, W))
out["elastic_noise"] = {"x": ux.flatten().tolist(), "y": uy.flatten().tolist()}
sigma = np.array([H, W]) * 0.01
elastic = []
for alpha in [250 * 0.05, 250 * 0.065, 250 * 0.085, 250 * 0.1, 250 * 0.12]:
    dx = (gaussian(ux, sigma, mode="reflect", truncate=3) * alpha).astype(np.float32)[..., None]
    dy = (gaussian(uy, sigma, mode="reflect", truncate=3) * alpha).astype(np.float32)[..., None]
    xx, yy, zz = np.meshgrid(np.arange(W), np.arange(H), np.arange(3))
    idx = np.reshape(yy + dy, (-1, 1)), np.reshape(xx + dx, (-1, 1)), np.reshape(zz, (-1, 1))
    elastic.append(np.clip(map_coordinates(x, idx, order=1, mode="reflect").reshape(H, W, 3), 0, 1).flatten().tolist())
out["elastic_transform"] = elastic

json.dump(rounded(out), sys.stdout, separators=(",", ":"))
