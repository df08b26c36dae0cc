"""Trains a temporary demo CNN on Fashion-MNIST with PyTorch and exports it to ONNX.

Stop-gap until robustart's own training loop (robustart train) produces the demo model; kept so
the figures in the issue note can be reproduced. Needs Debian's python3-torch, python3-pil,
python3-onnx and dataset-fashion-mnist. Usage: /usr/bin/python3 tools/train-demo-torch.py [epochs]
The images go through the same path as the bundled demo data: 28x28 grey -> RGB -> 64x64 bicubic ->
JPEG q90 -> decode -> resize shorter side to 36 (bicubic) -> centre crop 32 -> [0,1].
"""
import gzip, io, json, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from PIL import Image
import onnx

ROOT = '/usr/share/datasets/fashion-mnist'
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST pixel mean/std in [0,1]

def idx(name):
    with gzip.open(f'{ROOT}/{name}') as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)

def pipeline(gray):
    img = Image.fromarray(gray).convert('RGB').resize((64, 64), Image.BICUBIC)
    buf = io.BytesIO(); img.save(buf, 'JPEG', quality=90); buf.seek(0)
    img = Image.open(buf).convert('RGB').resize((36, 36), Image.BICUBIC)
    img = img.crop((2, 2, 34, 34))
    return np.asarray(img, np.float32).transpose(2, 0, 1) / 255.0

def load(split):
    x = idx(f'{split}-images-idx3-ubyte.gz'); y = idx(f'{split}-labels-idx1-ubyte.gz')
    return torch.from_numpy(np.stack([pipeline(g) for g in x])), torch.from_numpy(y.astype(np.int64))

class DemoCNN(nn.Module):
    def __init__(self):
        super().__init__()
        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())
        self.features = nn.Sequential(block(3, 32), block(32, 32), nn.MaxPool2d(2), block(32, 64), block(64, 64), nn.MaxPool2d(2), block(64, 128), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Linear(128, 10)
    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))

def main():
    torch.manual_seed(0)
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    t0 = time.time()
    xtr, ytr = load('train'); xte, yte = load('t10k')
    print(f'data ready in {time.time() - t0:.0f}s', flush=True)
    xtr = (xtr - MEAN) / STD; xte = (xte - MEAN) / STD
    model = DemoCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps = epochs * (len(xtr) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=steps)
    for epoch in range(epochs):
        model.train(); perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr) - 127, 128):
            b = perm[i:i + 128]
            xb = xtr[b]
            if torch.rand(1).item() < 0.5: xb = xb.flip(3)
            loss = F.cross_entropy(model(xb), ytr[b])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        model.eval()
        with torch.no_grad():
            acc = (torch.cat([model(xte[i:i + 500]).argmax(1) for i in range(0, len(xte), 500)]) == yte).float().mean().item()
        print(f'epoch {epoch + 1}: loss {loss.item():.3f} test top-1 {acc:.4f} ({time.time() - t0:.0f}s)', flush=True)
    out = 'demo/model/fashion-cnn.onnx'
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), out, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=17)
    m = onnx.load(out)
    meta = {'input_size': [3, 32, 32], 'interpolation': 'bicubic', 'crop_pct': 0.875, 'mean': [MEAN] * 3, 'std': [STD] * 3,
            'num_classes': 10, 'family': 'CNN', 'labels': CLASSES, 'architecture': 'demo-cnn', 'trained_by': 'tools/train-demo-torch.py'}
    for k, v in meta.items():
        p = m.metadata_props.add(); p.key = k; p.value = json.dumps(v)
    onnx.save(m, out)
    print(f'wrote {out}: test top-1 {acc:.4f}, {time.time() - t0:.0f}s')

main()
