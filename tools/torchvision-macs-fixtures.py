"""Exports a small torchvision VisionTransformer (nn.MultiheadAttention, whose ONNX export merges the batch with
the heads in dynamic reshapes) to fixtures/complexity/tv-vit-small.onnx, with its multiply-accumulates per image
counted here from the architecture (patch conv, per layer: in-projection, q·kᵀ, attention·v, out-projection,
two MLP linears; the head), in the same way torchvision's model table counts them.
Usage: /usr/bin/python3 tools/torchvision-macs-fixtures.py   (python3-torch, python3-torchvision)"""
import json
import torch
from torchvision.models.vision_transformer import VisionTransformer

IMAGE, PATCH, LAYERS, HEADS, HIDDEN, MLP, CLASSES = 32, 8, 2, 4, 64, 128, 10

torch.manual_seed(0)
model = VisionTransformer(image_size=IMAGE, patch_size=PATCH, num_layers=LAYERS, num_heads=HEADS, hidden_dim=HIDDEN, mlp_dim=MLP, num_classes=CLASSES).eval()
path = 'fixtures/complexity/tv-vit-small.onnx'
torch.onnx.export(model, torch.zeros(1, 3, IMAGE, IMAGE), path, opset_version=17, input_names=['input'], output_names=['logits'],
                  dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})

patches = (IMAGE // PATCH) ** 2
tokens = patches + 1
macs = patches * HIDDEN * 3 * PATCH * PATCH                      # conv_proj
per_layer = (tokens * HIDDEN * 3 * HIDDEN                        # in_proj (q, k, v)
             + 2 * tokens * tokens * HIDDEN                      # q·kᵀ and attention·v over all heads
             + tokens * HIDDEN * HIDDEN                          # out_proj
             + 2 * tokens * HIDDEN * MLP)                        # MLP
macs += LAYERS * per_layer + HIDDEN * CLASSES                    # encoder layers, head
with open('fixtures/complexity/tv-vit-small.json', 'w') as f:
    json.dump({'macs': macs, 'config': {'image': IMAGE, 'patch': PATCH, 'layers': LAYERS, 'heads': HEADS, 'hidden': HIDDEN, 'mlp': MLP, 'classes': CLASSES},
               'torch': torch.__version__}, f, indent=2)
print(path, macs)
