#!/usr/bin/python3
"""imagecorruptions beside `npm run bench -- corrupt`: CPU and wall milliseconds per corruption on the bench's own
image, single-threaded, median of repeats, printed as one JSON object so the bench can print the ratio of one run.

The image comes on stdin as height x width x 3 bytes (uint8, RGB), the sizes on the command line.
imagecorruptions is not on Debian; install it beside Debian's numpy/scipy/scikit-image/OpenCV (and python3-numba,
which its glass_blur uses since 2024) in a virtual environment the bench finds by itself:
    apt-get install python3-numba
    /usr/bin/python3 -m venv --system-site-packages tools/.venv
    tools/.venv/bin/pip install --no-deps imagecorruptions   # or a checkout of github.com/bethgelab/imagecorruptions
Without PyPI, install a checkout (setup.py, version 1.1.2) with
    tools/.venv/bin/pip install --no-deps --no-build-isolation path/to/imagecorruptions
Usage: tools/.venv/bin/python tools/bench-imagecorruptions.py --width 224 --height 224 --severity 3 --repeats 15 --warmups 30 < image.rgb
"""
import os

# One thread everywhere, as the bench measures robustart: set before numpy, OpenCV and numba load their pools.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[name] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--severity", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    warnings.simplefilter("ignore")
    from imagecorruptions import corrupt, get_corruption_names

    data = sys.stdin.buffer.read()
    image = np.frombuffer(data, dtype=np.uint8).reshape(args.height, args.width, 3).copy()
    cpu_ms, wall_ms = {}, {}
    for name in get_corruption_names("all"):
        for seed in range(args.warmups):  # warm-up: numba's compile, caches
            np.random.seed(seed)
            corrupt(image, corruption_name=name, severity=args.severity)
        cpu, wall = [], []
        for i in range(args.repeats):
            np.random.seed(100 + i)
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            corrupt(image, corruption_name=name, severity=args.severity)
            cpu.append(1000 * (time.process_time() - start_cpu))
            wall.append(1000 * (time.perf_counter() - start_wall))
        cpu_ms[name] = float(np.median(cpu))
        wall_ms[name] = float(np.median(wall))
    json.dump({"cpu_ms": cpu_ms, "wall_ms": wall_ms}, sys.stdout)


if __name__ == "__main__":
    main()
