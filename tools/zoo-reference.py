#!/usr/bin/env python3
"""Reference figures for the model zoo, from the reference implementations.

Writes
  fixtures/zoo/reference-counts.json  parameters and MACs of every full-size preset
  fixtures/zoo/parity/<family>.json/.bin  a reduced model per family: weights (float16 values, stored
      as float16), an input batch and the reference logits (float32), for forward-parity tests

References: torchvision 0.14 models (ResNet/ResNeXt/WRN, DenseNet, EfficientNet, MobileNetV2/V3,
RegNetX, ShuffleNetV2, ViT, ConvNeXt, AlexNet). DeiT is torchvision's VisionTransformer at DeiT's
dims (timm's deit_*_patch16_224 are the same network: embed 192/384/768, heads 3/6/12). RegNetX-6.4GF
is torchvision's RegNet at pycls' RegNetX-6.4GF parameters (depth 17, w0 184, wa 60.83, wm 2.07,
group width 56). MLP-Mixer and RepVGG are re-defined below from timm's mlp_mixer.py and the official
DingXiaoH/RepVGG repvgg.py (module names kept); their full-size counts equal the published ones
(timm mixer_b16_224 59.88M, mixer_l16_224 208.2M; RepVGG paper Table 2 counts deploy-time models).

MACs follow fvcore's convention restricted to the weighted ops: convolutions, linear layers and
matrix products (attention), one per multiply-add; counted from a traced forward pass.

Run with Debian's python3 (python3-torch, python3-torchvision): /usr/bin/python3 tools/zoo-reference.py
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm
from torchvision.models import regnet as tv_regnet
from torchvision.models import efficientnet as tv_eff
from torchvision.models import mobilenetv3 as tv_mbv3
from torchvision.models.vision_transformer import VisionTransformer
from torchvision.models.convnext import ConvNeXt, CNBlockConfig
from torchvision.models.resnet import ResNet, Bottleneck

ROOT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'zoo')


# --- MLP-Mixer (timm mlp_mixer.py: MlpMixer, MixerBlock, Mlp; names kept) ---
class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class MixerBlock(nn.Module):
    def __init__(self, dim, tokens):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_tokens = Mlp(tokens, int(0.5 * dim))
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_channels = Mlp(dim, int(4.0 * dim))

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.mlp_channels(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MlpMixer(nn.Module):
    def __init__(self, num_classes=1000, img_size=224, in_chans=3, patch_size=16, num_blocks=8, embed_dim=512):
        super().__init__()
        self.stem = PatchEmbed(patch_size, in_chans, embed_dim)
        tokens = (img_size // patch_size) ** 2
        self.blocks = nn.Sequential(*[MixerBlock(embed_dim, tokens) for _ in range(num_blocks)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward(self, x):
        return self.head(self.norm(self.blocks(self.stem(x))).mean(dim=1))


# --- RepVGG (DingXiaoH/RepVGG repvgg.py: RepVGGBlock, RepVGG; training-time form, names kept) ---
def conv_bn(cin, cout, k, stride, padding):
    m = nn.Sequential()
    m.add_module('conv', nn.Conv2d(cin, cout, k, stride, padding, bias=False))
    m.add_module('bn', nn.BatchNorm2d(cout))
    return m


class RepVGGBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.nonlinearity = nn.ReLU()
        self.rbr_identity = nn.BatchNorm2d(cin) if cout == cin and stride == 1 else None
        self.rbr_dense = conv_bn(cin, cout, 3, stride, 1)
        self.rbr_1x1 = conv_bn(cin, cout, 1, stride, 0)

    def forward(self, x):
        id_out = 0 if self.rbr_identity is None else self.rbr_identity(x)
        return self.nonlinearity(self.rbr_dense(x) + self.rbr_1x1(x) + id_out)


class RepVGG(nn.Module):
    def __init__(self, num_blocks, width_multiplier, num_classes=1000, in_chans=3, stem_stride=2):
        super().__init__()
        self.in_planes = min(64, int(64 * width_multiplier[0]))
        self.stage0 = RepVGGBlock(in_chans, self.in_planes, stem_stride)
        self.stage1 = self._make_stage(int(64 * width_multiplier[0]), num_blocks[0])
        self.stage2 = self._make_stage(int(128 * width_multiplier[1]), num_blocks[1])
        self.stage3 = self._make_stage(int(256 * width_multiplier[2]), num_blocks[2])
        self.stage4 = self._make_stage(int(512 * width_multiplier[3]), num_blocks[3])
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(int(512 * width_multiplier[3]), num_classes)

    def _make_stage(self, planes, n):
        blocks = []
        for s in [2] + [1] * (n - 1):
            blocks.append(RepVGGBlock(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*blocks)

    def forward(self, x):
        for stage in (self.stage0, self.stage1, self.stage2, self.stage3, self.stage4):
            x = stage(x)
        return self.linear(self.gap(x).flatten(1))


# --- reduced-width wiring of torchvision modules whose constructors fix the widths ---
class NarrowResNet(ResNet):
    """torchvision's ResNet with a chosen stem/first-stage width (torchvision fixes 64)."""

    def __init__(self, block, layers, width, groups, width_per_group, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = width, 1, groups, width_per_group
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)


class NarrowAlexNet(nn.Module):
    """torchvision's AlexNet layout (module indices kept) at chosen widths and pooled size."""

    def __init__(self, ch, hidden, pooled, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, ch[0], 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(ch[0], ch[1], 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(ch[1], ch[2], 3, padding=1), nn.ReLU(),
            nn.Conv2d(ch[2], ch[3], 3, padding=1), nn.ReLU(),
            nn.Conv2d(ch[3], ch[4], 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((pooled, pooled))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(ch[4] * pooled * pooled, hidden), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def regnet(depth, w0, wa, wm, group_width, **kw):
    return tv_regnet.RegNet(tv_regnet.BlockParams.from_init_params(depth=depth, w_0=w0, w_a=wa, w_m=wm, group_width=group_width), **kw)


def efficientnet(width, depth, dropout, **kw):
    setting, last = tv_eff._efficientnet_conf('efficientnet_b0', width_mult=width, depth_mult=depth)
    return tv_eff.EfficientNet(setting, dropout, last_channel=last, **kw)


def mobilenet_v3(width, **kw):
    setting, last = tv_mbv3._mobilenet_v3_conf('mobilenet_v3_large', width_mult=width)
    return tv_mbv3.MobileNetV3(setting, last, **kw)


def vit(image, patch, depth, heads, dim, mlp, **kw):
    return VisionTransformer(image, patch, depth, heads, dim, mlp, **kw)


# Full-size presets: zoo name -> (constructor, resolution).
FULL = {
    **{n: (getattr(tvm, n), 224) for n in ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d',
                                           'resnext101_32x8d', 'wide_resnet50_2', 'wide_resnet101_2', 'densenet121', 'densenet169',
                                           'densenet201', 'mobilenet_v2', 'mobilenet_v3_large', 'regnet_x_400mf', 'regnet_x_800mf',
                                           'regnet_x_1_6gf', 'regnet_x_3_2gf', 'shufflenet_v2_x0_5', 'shufflenet_v2_x1_0',
                                           'shufflenet_v2_x1_5', 'shufflenet_v2_x2_0', 'vit_b_16', 'vit_b_32', 'convnext_tiny',
                                           'convnext_base', 'alexnet']},
    **{f'efficientnet_b{i}': (getattr(tvm, f'efficientnet_b{i}'), r) for i, r in enumerate([224, 240, 260, 300, 380, 456, 528, 600])},
    'mobilenet_v2_x0_5': (lambda: tvm.mobilenet_v2(width_mult=0.5), 224),
    'mobilenet_v2_x0_75': (lambda: tvm.mobilenet_v2(width_mult=0.75), 224),
    'mobilenet_v2_x1_4': (lambda: tvm.mobilenet_v2(width_mult=1.4), 224),
    'mobilenet_v3_large_x0_35': (lambda: mobilenet_v3(0.35), 224),
    'mobilenet_v3_large_x0_5': (lambda: mobilenet_v3(0.5), 224),
    'mobilenet_v3_large_x0_75': (lambda: mobilenet_v3(0.75), 224),
    'mobilenet_v3_large_x1_4': (lambda: mobilenet_v3(1.4), 224),
    'regnet_x_6_4gf': (lambda: regnet(17, 184, 60.83, 2.07, 56), 224),
    'deit_tiny_patch16_224': (lambda: vit(224, 16, 12, 3, 192, 768), 224),
    'deit_small_patch16_224': (lambda: vit(224, 16, 12, 6, 384, 1536), 224),
    'deit_base_patch16_224': (lambda: vit(224, 16, 12, 12, 768, 3072), 224),
    'mixer_b16_224': (lambda: MlpMixer(patch_size=16, num_blocks=12, embed_dim=768), 224),
    'mixer_l16_224': (lambda: MlpMixer(patch_size=16, num_blocks=24, embed_dim=1024), 224),
    'repvgg_a0': (lambda: RepVGG([2, 4, 14, 1], [0.75, 0.75, 0.75, 2.5]), 224),
    'repvgg_b3': (lambda: RepVGG([4, 6, 16, 1], [3, 3, 3, 5]), 224),
}


def prod(xs):
    return math.prod(int(x) for x in xs)


def count_macs(model, resolution, chans=3):
    """fvcore-style MACs of the weighted ops, from a traced forward pass (train mode: no fused attention)."""
    model.train()
    conv_macs = []
    # Convolutions by hook (a traced graph leaves weight shapes unknown); products of activations by trace.
    hooks = [m.register_forward_hook(lambda m, i, o: conv_macs.append(o.numel() * prod(m.weight.shape[1:])))
             for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        graph = torch.jit.trace(model, torch.zeros(1, chans, resolution, resolution), check_trace=False).inlined_graph
    for h in hooks:
        h.remove()
    total = int(sum(conv_macs))
    for node in graph.nodes():
        kind = node.kind()
        if kind not in ('aten::linear', 'aten::matmul', 'aten::bmm', 'aten::addmm', 'aten::mm'):
            continue
        ins = [i.type().sizes() if i.type().kind() == 'TensorType' else None for i in node.inputs()]
        out = node.output().type().sizes()
        if kind == 'aten::addmm':
            total += prod(out) * ins[1][-1]
        else:
            total += prod(out) * ins[0][-1]
    return total


def write_counts(names):
    counts = {}
    path = os.path.join(ROOT, 'reference-counts.json')
    if os.path.exists(path):
        counts = json.load(open(path))
    for name in names:
        make, resolution = FULL[name]
        torch.manual_seed(0)
        model = make()
        params = sum(p.numel() for p in model.parameters())
        counts[name] = {'params': params, 'macs': count_macs(model, resolution), 'resolution': resolution}
        print(name, counts[name], flush=True)
        del model
    json.dump(dict(sorted(counts.items())), open(path, 'w'), indent=1)


# --- forward parity: one reduced model per family, with the zoo options that rebuild it ---
PARITY = {
    'resnet': (lambda: NarrowResNet(Bottleneck, [1, 1, 1, 1], 8, 2, 8, 10), 32,
               {'block': 'bottleneck', 'layers': [1, 1, 1, 1], 'width': 8, 'groups': 2, 'widthPerGroup': 8}),
    'densenet': (lambda: tvm.DenseNet(4, (2, 2), 8, 2, num_classes=10), 32,
                 {'growthRate': 4, 'blocks': [2, 2], 'initFeatures': 8, 'bnSize': 2}),
    'efficientnet': (lambda: efficientnet(0.25, 0.3, 0.2, num_classes=10), 64,
                     {'widthMultiplier': 0.25, 'depthMultiplier': 0.3, 'dropout': 0.2, 'bnEpsilon': 1e-5}),
    'mobilenet_v2': (lambda: tvm.MobileNetV2(num_classes=10, width_mult=0.1), 64, {'widthMultiplier': 0.1}),
    'mobilenet_v3_large': (lambda: mobilenet_v3(0.1, num_classes=10), 32, {'widthMultiplier': 0.1}),
    'regnet_x': (lambda: regnet(4, 8, 8, 2, 8, stem_width=8, num_classes=10), 32,
                 {'depth': 4, 'w0': 8, 'wa': 8, 'wm': 2, 'groupWidth': 8, 'stemWidth': 8}),
    'shufflenet_v2': (lambda: tvm.ShuffleNetV2([1, 2, 1], [8, 16, 32, 64, 64], num_classes=10), 32,
                      {'repeats': [1, 2, 1], 'channels': [8, 16, 32, 64, 64]}),
    'convnext': (lambda: ConvNeXt([CNBlockConfig(8, 16, 1), CNBlockConfig(16, 32, 2), CNBlockConfig(32, None, 1)], num_classes=10), 32,
                 {'widths': [8, 16, 32], 'depths': [1, 2, 1]}),
    'vit': (lambda: vit(32, 8, 2, 2, 16, 32, num_classes=10), 32, {'patchSize': 8, 'dim': 16, 'depth': 2, 'heads': 2, 'mlpRatio': 2}),
    'mixer': (lambda: MlpMixer(num_classes=10, img_size=32, patch_size=8, num_blocks=2, embed_dim=16), 32, {'patchSize': 8, 'dim': 16, 'depth': 2}),
    'repvgg': (lambda: RepVGG([1, 2, 1, 1], [0.125, 0.125, 0.125, 0.125], num_classes=10), 32,
               {'blocks': [1, 2, 1, 1], 'multipliers': [0.125, 0.125, 0.125, 0.125]}),
    'alexnet': (lambda: NarrowAlexNet([8, 16, 16, 16, 8], 16, 1, 10), 63,
                {'channels': [8, 16, 16, 16, 8], 'hidden': 16, 'pooledSize': 1}),
}


def randomize(model, gen):
    """Weights and BN statistics away from their init, so every parameter changes the output."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif name.endswith('running_mean') or name.endswith('.bias'):
                t.copy_(torch.rand(t.shape, generator=gen) * 0.4 - 0.2)
            elif name.endswith('layer_scale') or (t.dim() == 1 and name.endswith('weight')):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            else:
                fan_in = prod(t.shape[1:]) if t.dim() > 1 else t.numel()
                t.copy_(torch.randn(t.shape, generator=gen) / math.sqrt(fan_in))
            # Values exact in float16, so the fixture stores them at half size without changing the model.
            t.copy_(t.half().float())


def reference_model(family):
    make, resolution, options = PARITY[family]
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = make().eval()
    randomize(model, gen)
    return model, gen, resolution, options


def write_parity(family):
    model, gen, resolution, options = reference_model(family)
    x = torch.rand(2, 3, resolution, resolution, generator=gen)
    with torch.no_grad():
        y = model(x)
    tensors, blob = [], bytearray()
    for name, t in model.state_dict().items():
        if not t.is_floating_point():
            continue
        tensors.append({'name': name, 'dims': list(t.shape), 'offset': len(blob)})
        blob += t.detach().half().numpy().tobytes()
    inputs = {'offset': len(blob), 'dims': list(x.shape)}
    blob += x.numpy().astype('<f4').tobytes()
    outputs = {'offset': len(blob), 'dims': list(y.shape)}
    blob += y.numpy().astype('<f4').tobytes()
    os.makedirs(os.path.join(ROOT, 'parity'), exist_ok=True)
    meta = {'family': family, 'resolution': resolution, 'classes': 10, 'options': options,
            'weights': 'float16', 'tensors': tensors, 'input': inputs, 'logits': outputs,
            'params': sum(p.numel() for p in model.parameters())}
    json.dump(meta, open(os.path.join(ROOT, 'parity', f'{family}.json'), 'w'), indent=1)
    open(os.path.join(ROOT, 'parity', f'{family}.bin'), 'wb').write(bytes(blob))
    print(family, len(blob), 'bytes', flush=True)


def write_export(family):
    """The reduced reference model exported by torch.onnx with BatchNorm kept (TrainingMode.PRESERVE), for import tests."""
    model, _, resolution, _ = reference_model(family)
    os.makedirs(os.path.join(ROOT, 'import'), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 3, resolution, resolution), os.path.join(ROOT, 'import', f'{family}.onnx'),
                      opset_version=17, training=torch.onnx.TrainingMode.PRESERVE, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    print(family, 'export', flush=True)


def write_gradients(family):
    """Training-mode (batch-statistics BN, no dropout/stochastic depth) summed cross-entropy gradients, float64."""
    model, gen, resolution, _ = reference_model(family)
    gen = torch.Generator().manual_seed(2)
    for m in model.modules():
        if isinstance(m, nn.Dropout) or type(m).__name__ == 'StochasticDepth':
            m.p = 0.0
    model = model.double().train()
    x = torch.rand(4, 3, resolution, resolution, generator=gen).double().requires_grad_()
    labels = torch.randint(0, 10, (4,), generator=gen)
    loss = nn.functional.cross_entropy(model(x), labels, reduction='sum')
    loss.backward()
    params = [(n, p) for n, p in model.named_parameters()]
    chosen = [params[0][0], params[len(params) // 2][0], params[-2][0]]
    grads = dict(params)
    blob, tensors = bytearray(), []
    def put(name, t):
        tensors.append({'name': name, 'dims': list(t.shape), 'offset': len(blob)})
        blob.extend(t.detach().float().numpy().astype('<f4').tobytes())
    put('input', x.detach())
    put('grad:input', x.grad)
    for n in dict.fromkeys(chosen):
        put(f'grad:{n}', grads[n].grad)
    meta = {'family': family, 'labels': labels.tolist(), 'loss': loss.item(), 'tensors': tensors}
    os.makedirs(os.path.join(ROOT, 'gradients'), exist_ok=True)
    json.dump(meta, open(os.path.join(ROOT, 'gradients', f'{family}.json'), 'w'), indent=1)
    open(os.path.join(ROOT, 'gradients', f'{family}.bin'), 'wb').write(bytes(blob))
    print(family, 'gradients', len(blob), 'bytes', flush=True)


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'all'
    os.makedirs(ROOT, exist_ok=True)
    if what in ('all', 'parity'):
        for family in PARITY:
            write_parity(family)
            write_gradients(family)
        write_export('regnet_x')
    if what in ('all', 'counts'):
        write_counts(sys.argv[2:] or list(FULL))
