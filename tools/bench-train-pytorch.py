#!/usr/bin/env python3
"""PyTorch reference for `npm run bench -- train`: forward-only and training-step (forward, backward,
SGD with Nesterov momentum) images/s of ResNet-18 and ViT-S/16 at 224², batch 32 (--batch), on the CPU, in one
process, so the training/forward ratio can be compared with robustart's on the same machine.
Usage: /usr/bin/python3 tools/bench-train-pytorch.py [--threads N] [--steps N]"""
import argparse
import time

import torch
from torchvision.models import resnet18
from torchvision.models.vision_transformer import VisionTransformer


def best_seconds(fn, repeats):
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    models = {
        "resnet18": lambda: resnet18(num_classes=1000),
        "vit-s16": lambda: VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384, mlp_dim=1536, num_classes=1000),
    }
    x = torch.rand(args.batch, 3, 224, 224)
    y = torch.randint(0, 1000, (args.batch,))
    print(f"pytorch {torch.__version__}, {args.threads} threads, batch {args.batch}")
    print("model      fwd img/s  train img/s  train/fwd time")
    for name, make in models.items():
        model = make()
        model.eval()
        with torch.no_grad():
            forward = best_seconds(lambda: model(x), args.steps)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)

        def step():
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

        train = best_seconds(step, args.steps)
        print(f"{name:<10} {args.batch / forward:9.2f}  {args.batch / train:11.2f}  {train / forward:14.2f}")


if __name__ == "__main__":
    main()
