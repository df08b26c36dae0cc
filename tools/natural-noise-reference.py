#!/usr/bin/python3
"""Reference outputs of the OpenCV / PIL / colorsys operations that robustart's ImageNet-C corruptions
reimplement (the disk kernel and filter2D of defocus_blur, PIL BOX + NEAREST of pixelate, HSV of brightness
and saturate, Canny / distanceTransform / equalizeHist / filter2D of spatter), on a small fixed image.

Run with the system Python (needs numpy, opencv, PIL):
  /usr/bin/python3 tools/natural-noise-reference.py > src/noise/natural/fixtures/opencv-reference.json
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


json.dump(rounded(out), sys.stdout, separators=(",", ":"))
