#!/usr/bin/python3
"""PyTorch reference for training-form Dropout and drop-path as robustart's trainer runs them (a node
rewritten to Mul by a fed inverted-dropout mask, src/train/dropout.ts): torch.nn.functional.dropout and
torchvision.ops.stochastic_depth(mode='row') in training mode on fixed inputs, backward with a fixed
upstream gradient, float64. The masks are torch's own draws (seed 0); the test recovers them from y.
Writes fixtures/autodiff/dropout-training.json (read by src/train/dropout.test.ts).
Usage: /usr/bin/python3 tools/dropout-fixture.py"""
import json
import math
from pathlib import Path

import torch
import torchvision


def case(shape, rate, forward):
    count = math.prod(shape)
    # Deterministic values with no zeros, so a zero in y is a dropped element.
    x = torch.tensor([1.0 + math.sin(0.7 * i) + 0.1 * i for i in range(count)], dtype=torch.float64).reshape(shape).requires_grad_()
    dy = torch.tensor([math.cos(1.3 * i) for i in range(count)], dtype=torch.float64).reshape(shape)
    y = forward(x, rate)
    y.backward(dy)
    return {"shape": list(shape), "rate": rate, "x": x.detach().flatten().tolist(), "dy": dy.flatten().tolist(), "y": y.detach().flatten().tolist(), "dx": x.grad.flatten().tolist()}


torch.manual_seed(0)
out = {
    "source": f"torch {torch.__version__}, torchvision {torchvision.__version__}, float64, torch.manual_seed(0)",
    "dropout": case((4, 6), 0.3, lambda x, p: torch.nn.functional.dropout(x, p, training=True)),
    "drop_path": case((8, 5), 0.5, lambda x, p: torchvision.ops.stochastic_depth(x, p, mode="row", training=True)),
}
path = Path(__file__).resolve().parent.parent / "fixtures" / "autodiff" / "dropout-training.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
