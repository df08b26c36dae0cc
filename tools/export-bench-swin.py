#!/usr/bin/python3
# Writes torchvision's Swin-T (random weights, 1000 classes, 224x224, dynamic batch) as ONNX for the memory part of
# `npm run bench -- grad --memory-models resnet50,convnext-t,PATH.onnx`. Nothing is committed: Swin-T's 28 M weights
# are 110 MB; run it where the bench runs.
# Usage: /usr/bin/python3 tools/export-bench-swin.py OUT.onnx   (Debian's PyTorch 1.13 / torchvision 0.14)
import sys
import torch
from torchvision.models import swin_t

torch.manual_seed(0)
model = swin_t(weights=None).eval()
x = torch.rand(2, 3, 224, 224)
torch.onnx.export(model, x, sys.argv[1], opset_version=17, input_names=['input'], output_names=['logits'],
                  dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}})
