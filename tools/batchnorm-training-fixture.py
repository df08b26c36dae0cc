#!/usr/bin/env python3
"""PyTorch reference for the training-mode BatchNormalization VJP rule: torch.nn.functional.batch_norm
with training=True on fixed inputs, backward with a fixed upstream gradient, gradients for x, weight and
bias in float64. Writes fixtures/autodiff/batchnorm-training.json (read by
src/autodiff/rules/batchnorm-training.test.ts). Usage: /usr/bin/python3 tools/batchnorm-training-fixture.py"""
import json
import math
from pathlib import Path

import torch

shape = (3, 2, 2, 3)
count = math.prod(shape)
# Deterministic, non-symmetric values (no random generator needed to reproduce them).
x = torch.tensor([math.sin(0.7 * i) + 0.1 * i for i in range(count)], dtype=torch.float64).reshape(shape).requires_grad_()
dy = torch.tensor([math.cos(1.3 * i) for i in range(count)], dtype=torch.float64).reshape(shape)
weight = torch.tensor([1.5, -0.7], dtype=torch.float64, requires_grad=True)
bias = torch.tensor([0.2, 0.4], dtype=torch.float64, requires_grad=True)
eps = 1e-3
y = torch.nn.functional.batch_norm(x, torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64), weight, bias, training=True, momentum=0.1, eps=eps)
y.backward(dy)
out = {
    "source": f"torch {torch.__version__} batch_norm(training=True), float64",
    "shape": list(shape),
    "epsilon": eps,
    "x": x.detach().flatten().tolist(),
    "dy": dy.flatten().tolist(),
    "scale": weight.detach().tolist(),
    "bias": bias.detach().tolist(),
    "y": y.detach().flatten().tolist(),
    "dx": x.grad.flatten().tolist(),
    "dscale": weight.grad.tolist(),
    "dbias": bias.grad.tolist(),
}
path = Path(__file__).resolve().parent.parent / "fixtures" / "autodiff" / "batchnorm-training.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
