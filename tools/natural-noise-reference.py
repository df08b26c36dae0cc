#!/usr/bin/python3
"""Reference outputs of the OpenCV / PIL / colorsys operations that robustart's ImageNet-C corruptions
reimplement (the disk kernel and filter2D of defocus_blur, PIL BOX + NEAREST of pixelate, HSV of brightness
and saturate, Canny / distanceTransform / equalizeHist / filter2D of spatter), on a small fixed image.

Also scipy / scikit-image for gaussian_blur (skimage.filters.gaussian), zoom_blur (scipy.ndimage.zoom) and
elastic_transform's smoothing and resampling (gaussian with mode 'reflect', truncate 3; map_coordinates order 1,
mode 'reflect') given fixed noise fields.

Run with the system Python (needs numpy, opencv, PIL, scipy, skimage; Debian python3-opencv python3-scipy
python3-skimage):
  /usr/bin/python3 tools/natural-noise-reference.py > src/noise/natural/fixtures/library-reference.json
The corruption code itself is never run here; only the library operations, so the test compares the
TypeScript reimplementation with the libraries the reference (imagecorruptions) calls.

Two more fixtures implement reference corruptions from their definitions, with the random draws recorded so the
TypeScript side can replay them:
  /usr/bin/python3 tools/natural-noise-reference.py frost > src/noise/natural/fixtures/frost-reference.json
  /usr/bin/python3 tools/natural-noise-reference.py imagenet-p > src/noise/natural/fixtures/imagenet-p-reference.json
"""
import base64
import colorsys
import json
import os
import sys

import cv2
import numpy as np
from PIL import Image

def library_reference():
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

    # make_imagenet_c.py's elastic_transform given its draws (six affine shifts, then noise fields in [-1, 1]):
    # cv2.getAffineTransform + cv2.warpAffine (bilinear, BORDER_REFLECT_101), then the displacement as above with
    # (alpha, sigma) of the 224x224 table scaled by min(H, W) / 224.
    shifts = rng.uniform(-1, 1, size=(5, 6))
    nx = rng.uniform(-1, 1, size=(H, W))
    ny = rng.uniform(-1, 1, size=(H, W))
    out["elastic_original_draws"] = {"shifts": shifts.flatten().tolist(), "x": nx.flatten().tolist(), "y": ny.flatten().tolist()}
    original = []
    scale = min(H, W) / 224
    table = [(244 * 2, 244 * 0.7, 244 * 0.1), (244 * 2, 244 * 0.08, 244 * 0.2), (244 * 0.05, 244 * 0.01, 244 * 0.02),
             (244 * 0.07, 244 * 0.01, 244 * 0.02), (244 * 0.12, 244 * 0.01, 244 * 0.02)]
    for s_index, (alpha, sigma, shift) in enumerate(table):
        alpha, sigma, shift = alpha * scale, sigma * scale, shift * scale
        image = x.astype(np.float32)
        centre = np.float32((H, W)) // 2
        size = min(H, W) // 3
        pts1 = np.float32([centre + size, [centre[0] + size, centre[1] - size], centre - size])
        pts2 = pts1 + (shifts[s_index].reshape(3, 2) * shift).astype(np.float32)
        image = cv2.warpAffine(image, cv2.getAffineTransform(pts1, pts2), (W, H), borderMode=cv2.BORDER_REFLECT_101)
        dx = (gaussian(nx, sigma, mode="reflect", truncate=3) * alpha).astype(np.float32)[..., None]
        dy = (gaussian(ny, sigma, mode="reflect", truncate=3) * alpha).astype(np.float32)[..., None]
        xx, yy, zz = np.meshgrid(np.arange(W), np.arange(H), np.arange(3))
        idx = np.reshape(yy + dy, (-1, 1)), np.reshape(xx + dx, (-1, 1)), np.reshape(zz, (-1, 1))
        original.append(np.clip(map_coordinates(image, idx, order=1, mode="reflect").reshape(H, W, 3), 0, 1).flatten().tolist())
    out["elastic_original"] = original

    return rounded(out)



def ramp_image(width, height, k):
    """A test picture from integer arithmetic only (robustart's rampImage computes the same bytes): triangle-wave
    ramps per channel with a coarse block pattern, mean level near the middle like natural images."""
    y, x = np.mgrid[0:height, 0:width]
    channels = []
    for c in range(3):
        t = (x * (2 + k + c) + y * (3 + 2 * k) + 40 * k + 85 * c) % 512
        v = np.where(t < 256, t, 511 - t)
        block = ((x // 13 + y // 11 + k + c) % 4) * 12
        channels.append(np.clip(v * 3 // 4 + block + 10, 0, 255))
    return np.stack(channels, axis=2).astype(np.uint8)


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode()


FROST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "frost")
FROST_FILES = ["frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg", "frost6.jpg"]
FROST_C = [(1, 0.4), (0.8, 0.6), (0.7, 0.7), (0.65, 0.7), (0.6, 0.75)]


def reference_frost(x, severity):
    """imagecorruptions' frost, written from its definition: randint(5) picks frost1..5 (cv2.imread, BGR), the
    photograph is scaled to cover the image and then by 1.1 (cv2.resize INTER_CUBIC, ceil of the scaled size),
    the crop's top row then left column are drawn with randint(0, size - image size), and the RGB crop is blended.
    Returns the float output in 0..255 and the draws."""
    c = FROST_C[severity - 1]
    idx = np.random.randint(5)
    photo = cv2.imread(os.path.join(FROST_DIR, FROST_FILES[idx]))
    ph, pw = photo.shape[:2]
    h, w = x.shape[:2]
    scale = 1
    if ph < h and pw >= w:
        scale = h / ph
    elif ph >= h and pw < w:
        scale = w / pw
    elif ph < h and pw < w:
        scale = max(h / ph, w / pw)
    scale *= 1.1
    scaled = cv2.resize(photo, dsize=(int(np.ceil(pw * scale)), int(np.ceil(ph * scale))), interpolation=cv2.INTER_CUBIC)
    top = np.random.randint(0, scaled.shape[0] - h)
    left = np.random.randint(0, scaled.shape[1] - w)
    crop = scaled[top:top + h, left:left + w][..., [2, 1, 0]]
    return np.clip(c[0] * x.astype(np.float64) + c[1] * crop, 0, 255), (int(idx), int(top), int(left))


def psnr(clean, out):
    mse = np.mean((out / 255.0 - clean / 255.0) ** 2)
    return float(10 * np.log10(1.0 / mse))


def frost_reference():
    out = {"opencv": cv2.__version__, "small": [], "large": [], "own": {}}
    # Small images: the whole reference output (rounded to 8-bit levels) with its draws.
    for k in range(3):
        x = ramp_image(48, 40, k)
        entry = {"width": 48, "height": 40, "k": k, "severities": []}
        for s in range(1, 6):
            np.random.seed(1000 * k + s)
            y, (idx, top, left) = reference_frost(x, s)
            entry["severities"].append({"index": idx, "top": top, "left": left, "output": b64(np.round(y))})
        out["small"].append(entry)
    # 224x224 images: draws and PSNR per image and severity (aligned comparison), and the mean PSNR per severity
    # over fresh draws (25 per image: the photographs differ in brightness, so fewer leave the mean noisy by
    # several tenths of a dB), to compare with robustart's own draws.
    own = {s: [] for s in range(1, 6)}
    for k in range(16):
        x = ramp_image(224, 224, k)
        entry = {"k": k, "severities": []}
        for s in range(1, 6):
            np.random.seed(100000 + 1000 * k + s)
            y, (idx, top, left) = reference_frost(x, s)
            entry["severities"].append({"index": idx, "top": top, "left": left, "psnr": round(psnr(x, y), 4)})
            for _ in range(25):
                y, _draws = reference_frost(x, s)
                own[s].append(psnr(x, y))
        out["large"].append(entry)
    out["own"] = {str(s): round(float(np.mean(v)), 4) for s, v in own.items()}
    return out


def old_torchvision_affine(img, angle=0.0, scale=1.0, shear=0.0):
    """torchvision <= 0.2 transforms.functional.affine (what make_imagenet_p.py called), from its definition:
    PIL's AFFINE transform with the inverse of C * RSS * C^-1, centre (w * 0.5 + 0.5, h * 0.5 + 0.5) in PIL's
    continuous coordinates (pixel index w / 2), RSS = scale * [[cos a, -sin(a + s)], [sin a, cos(a + s)]];
    bilinear, black outside."""
    import math
    cx, cy = img.size[0] * 0.5 + 0.5, img.size[1] * 0.5 + 0.5
    a, s = math.radians(angle), math.radians(shear)
    d = math.cos(a + s) * math.cos(a) + math.sin(a + s) * math.sin(a)
    m = [math.cos(a + s), math.sin(a + s), 0, -math.sin(a), math.cos(a), 0]
    m = [(1.0 / scale) / d * v for v in m]
    m[2] += m[0] * -cx + m[1] * -cy
    m[5] += m[3] * -cx + m[4] * -cy
    m[2] += cx
    m[5] += cy
    return img.transform(img.size, Image.AFFINE, m, Image.BILINEAR)


def centre_crop(img, width, height):
    # torchvision CenterCrop: offsets int(round((size - crop) / 2)).
    left, top = int(round((img.size[0] - width) / 2.0)), int(round((img.size[1] - height) / 2.0))
    return img.crop((left, top, left + width, top + height))


P_STEPS = {
    "rotate": lambda i: {"angle": i - 15},
    "scale": lambda i: {"scale": (i * 2.5 + 40) / 100.0},
    "shear": lambda i: {"shear": i - 15},
}


def imagenet_p_frames(source, crop, frames):
    img = Image.fromarray(source)
    return {t: [np.array(centre_crop(old_torchvision_affine(img, **step(i)), *crop)) for i in frames] for t, step in P_STEPS.items()}


def imagenet_p_reference():
    # A small non-square context image (the reference's 256-resized picture) and its centre crop.
    source = ramp_image(50, 42, 5)
    frames = [0, 5, 12, 19, 26, 30]
    refs = imagenet_p_frames(source, (40, 32), frames)
    return {"pillow": Image.__version__, "width": 50, "height": 42, "k": 5, "crop": [40, 32], "frames": frames,
            "types": {t: [b64(f) for f in fs] for t, fs in refs.items()}}


def imagenet_p_full(out_dir):
    """Every frame at the ImageNet-P sizes (256x256 context, 224 crop) as raw RGB bytes, for the fidelity table."""
    os.makedirs(out_dir, exist_ok=True)
    source = ramp_image(256, 256, 3)
    refs = imagenet_p_frames(source, (224, 224), list(range(31)))
    for t, fs in refs.items():
        with open(os.path.join(out_dir, t + ".raw"), "wb") as f:
            for frame in fs:
                f.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
    json.dump({"width": 256, "height": 256, "k": 3, "crop": [224, 224], "frames": 31, "types": list(refs)}, open(os.path.join(out_dir, "meta.json"), "w"))


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "library"
    if mode == "library":
        json.dump(library_reference(), sys.stdout, separators=(",", ":"))
    elif mode == "frost":
        json.dump(frost_reference(), sys.stdout, separators=(",", ":"))
    elif mode == "imagenet-p":
        json.dump(imagenet_p_reference(), sys.stdout, separators=(",", ":"))
    elif mode == "imagenet-p-full":
        imagenet_p_full(sys.argv[2])
    else:
        sys.exit("usage: natural-noise-reference.py [library | frost | imagenet-p | imagenet-p-full DIR]")
