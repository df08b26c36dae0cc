#!/usr/bin/python3
"""Reference gradients for robustart's autodiff end-to-end tests (src/autodiff/end-to-end.test.ts).

For each model in fixtures/autodiff/ writes <name>.onnx (torchvision models only: exported here at
reduced width), <name>.input.npy (float32 [N,C,H,W]), <name>.labels.npy (int64 [N]),
<name>.loss.npy and <name>.grad.npy: the per-sample cross-entropy and its input gradient from
PyTorch autograd in float64 (stored as float32: rounding 6e-8, far below the 1e-4 tolerance).

* torchvision models: built at reduced width with random weights (BatchNorm statistics randomised
  so inference-form BN is not the identity), exported with torch.onnx.export at the opset listed (11 to 17).
* TS-built models (ts-*.onnx, written by tools/autodiff-build-fixtures.ts): run by the small ONNX
  interpreter below, written with torch ops so autograd differentiates them; their first weight's
  gradient is saved too, as <name>.grad-<initializer>.npy.

Run with Debian's python3-torch: /usr/bin/python3 tools/autodiff-export-fixtures.py
"""
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models import resnet, mobilenetv2, mobilenetv3, regnet, convnext, vision_transformer, efficientnet, swin_transformer, densenet
from torchvision.ops.misc import Conv2dNormActivation

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'autodiff')
BATCH = 2
torch.manual_seed(0)


def randomise(model):
    """Random BatchNorm affine parameters, then running statistics calibrated on random images (as a
    trained model's would be: eval-mode BN then normalises, and deep nets keep healthy gradients);
    Linear layers re-drawn with torch's default init (torchvision zero-inits some heads, e.g. ViT's)."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            m.reset_parameters()
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.num_features, generator=g) - 0.5)
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.rand(16, 3, 32, 32, generator=g))
    return model.eval()


class TinyResNet(resnet.ResNet):
    """torchvision's ResNet-18 layout at 1/16 width: _make_layer is asked for planes / 16."""

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        return super()._make_layer(block, planes // 16, blocks, stride, dilate)


def tiny_resnet():
    m = TinyResNet(resnet.BasicBlock, [1, 1, 1, 1], num_classes=10)
    m.fc = torch.nn.Linear(32, 10)
    return m


def tiny_mobilenet_v3():
    setting, _ = mobilenetv3._mobilenet_v3_conf('mobilenet_v3_small', width_mult=0.1)
    return mobilenetv3.MobileNetV3(setting, 32, num_classes=10)


def tiny_mobilenet_v2():
    """MobileNetV2 (ReLU6 -> Clip) at width 0.1 with its 1280-wide last conv cut to 64."""
    m = mobilenetv2.MobileNetV2(num_classes=10, width_mult=0.1)
    cin = m.features[-1][0].in_channels
    m.features[-1] = Conv2dNormActivation(cin, 64, kernel_size=1, activation_layer=torch.nn.ReLU6)
    m.classifier[1] = torch.nn.Linear(64, 10)
    return m


def tiny_regnet():
    params = regnet.BlockParams.from_init_params(depth=2, w_0=8, w_a=8.0, w_m=2.0, group_width=4, se_ratio=0.25)
    return regnet.RegNet(params, num_classes=10, stem_width=8)


def tiny_convnext():
    cfg = [convnext.CNBlockConfig(8, 16, 1), convnext.CNBlockConfig(16, None, 1)]
    return convnext.ConvNeXt(cfg, stochastic_depth_prob=0.0, layer_scale=0.5, num_classes=10)


def tiny_vit():
    return vision_transformer.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32, num_classes=10)


def tiny_efficientnet():
    setting, _ = efficientnet._efficientnet_conf('efficientnet_b0', width_mult=0.1, depth_mult=0.25)
    return efficientnet.EfficientNet(setting, 0.2, last_channel=32, num_classes=10)


def tiny_swin():
    return swin_transformer.SwinTransformer(patch_size=[2, 2], embed_dim=8, depths=[2, 1], num_heads=[1, 2], window_size=[4, 4], stochastic_depth_prob=0.0, num_classes=10)


def tiny_densenet():
    return densenet.DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8, bn_size=2, num_classes=10)


TORCHVISION = {
    # name: (builder, opset)
    'tv-resnet18-w4': (tiny_resnet, 12),
    'tv-mobilenet-v2-x010': (tiny_mobilenet_v2, 13),
    'tv-mobilenet-v3-small-x010': (tiny_mobilenet_v3, 14),
    'tv-regnet-tiny': (tiny_regnet, 15),
    'tv-efficientnet-b0-x010': (tiny_efficientnet, 16),
    'tv-convnext-tiny': (tiny_convnext, 17),
    'tv-vit-tiny': (tiny_vit, 17),
    'tv-swin-tiny': (tiny_swin, 17),
    'tv-densenet-tiny': (tiny_densenet, 11),
}


def fixture_batch(name):
    g = torch.Generator().manual_seed(sum(map(ord, name)))
    x = torch.rand(BATCH, 3, 32, 32, generator=g, dtype=torch.float32)
    y = torch.randint(0, 10, (BATCH,), generator=g)
    return x, y


def save_reference(name, forward, x, y):
    """Per-sample CE and its input gradient in float64 at the float32 input x."""
    x64 = x.double().requires_grad_(True)
    logits = forward(x64)
    loss = F.cross_entropy(logits, y, reduction='none')
    loss.sum().backward()
    np.save(os.path.join(OUT, f'{name}.input.npy'), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, f'{name}.labels.npy'), y.numpy().astype(np.int64))
    np.save(os.path.join(OUT, f'{name}.loss.npy'), loss.detach().numpy().astype(np.float32))
    np.save(os.path.join(OUT, f'{name}.grad.npy'), x64.grad.numpy().astype(np.float32))
    print(f'{name}: loss {loss.detach().numpy().round(4)} |grad| {x64.grad.norm().item():.4g}')


def export_torchvision(name, build, opset):
    torch.manual_seed(sum(map(ord, name)))  # per model, so any subset regenerates the same files
    model = randomise(build()).eval()
    x, y = fixture_batch(name)
    path = os.path.join(OUT, f'{name}.onnx')
    torch.onnx.export(model, x, path, opset_version=opset, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}}, do_constant_folding=True)
    save_reference(name, model.double(), x, y)


# ---------------------------------------------------------------------------------------------
# A small ONNX interpreter in torch ops for the TS-built models (the ops robustart's builders emit).

def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_onnx(model, x, params=None):
    g = model.graph
    env = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in g.initializer}
    for k, v in env.items():
        if v.dtype == torch.float32:
            env[k] = v.double()
    env.update(params or {})
    env[g.input[0].name] = x
    for node in g.node:
        a = attrs(node)
        i = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == 'Conv':
            p = a.get('pads', [0, 0, 0, 0])
            assert p[0] == p[2] and p[1] == p[3]
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=a.get('strides', 1), padding=(p[0], p[1]), dilation=a.get('dilations', 1), groups=a.get('group', 1))
        elif op == 'BatchNormalization':
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], training=False, eps=a.get('epsilon', 1e-5))
        elif op == 'Relu':
            y = F.relu(i[0])
        elif op == 'MaxPool':
            p = a.get('pads', [0, 0, 0, 0])
            y = F.max_pool2d(i[0], a['kernel_shape'], a.get('strides', 1), (p[0], p[1]))
        elif op == 'GlobalAveragePool':
            y = i[0].mean(dim=(2, 3), keepdim=True)
        elif op == 'Flatten':
            y = torch.flatten(i[0], a.get('axis', 1))
        elif op == 'MatMul':
            y = torch.matmul(i[0], i[1])
        elif op in ('Add', 'Mul', 'Sub', 'Div'):
            y = {'Add': torch.add, 'Mul': torch.mul, 'Sub': torch.sub, 'Div': torch.div}[op](i[0], i[1])
        elif op == 'Erf':
            y = torch.erf(i[0])
        elif op == 'LayerNormalization':
            axis = a.get('axis', -1) % i[0].dim()
            y = F.layer_norm(i[0], i[0].shape[axis:], i[1], i[2], a.get('epsilon', 1e-5))
        elif op == 'Reshape':
            shape = [int(s) if int(s) != 0 else i[0].shape[k] for k, s in enumerate(i[1].tolist())]
            y = i[0].reshape(shape)
        elif op == 'Transpose':
            y = i[0].permute(*a['perm'])
        elif op == 'Gather':
            idx = i[1]
            y = torch.index_select(i[0], a.get('axis', 0), idx.reshape(-1)).reshape(list(i[0].shape[:a.get('axis', 0)]) + list(idx.shape) + list(i[0].shape[a.get('axis', 0) + 1:]))
        elif op == 'Squeeze':
            y = i[0]
            for ax in sorted([int(v) for v in i[1].tolist()], reverse=True):
                y = y.squeeze(ax)
        elif op == 'Softmax':
            y = torch.softmax(i[0], a.get('axis', -1))
        elif op == 'Concat':
            y = torch.cat(i, a['axis'])
        elif op == 'Shape':
            y = torch.tensor(list(i[0].shape), dtype=torch.int64)
        elif op == 'Slice':
            axes = i[3].tolist() if len(i) > 3 and i[3] is not None else list(range(len(i[1])))
            y = i[0]
            for s, e, ax in zip(i[1].tolist(), i[2].tolist(), axes):
                y = y.narrow(ax, s, min(e, y.shape[ax]) - s)
        elif op == 'Expand':
            shape = torch.broadcast_shapes(i[0].shape, tuple(i[1].tolist()))
            y = i[0].expand(shape)
        elif op == 'ReduceMean':
            y = i[0].mean(dim=a['axes'], keepdim=bool(a.get('keepdims', 1)))
        elif op == 'Identity':
            y = i[0]
        else:
            sys.exit(f'interpreter: op {op} not implemented')
        env[node.output[0]] = y
    return env[g.output[0].name]


def reference_for_ts(name):
    model = onnx.load(os.path.join(OUT, f'{name}.onnx'))
    x, y = fixture_batch(name)
    # The first weight (stem conv or patch embedding) also gets its reference gradient.
    first = model.graph.initializer[0]
    weight = torch.from_numpy(onnx.numpy_helper.to_array(first).copy()).double().requires_grad_(True)
    save_reference(name, lambda inp: run_onnx(model, inp, {first.name: weight}), x, y)
    np.save(os.path.join(OUT, f'{name}.grad-{first.name}.npy'), weight.grad.numpy().astype(np.float32))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    for name, (build, opset) in TORCHVISION.items():
        if not only or name in only:
            export_torchvision(name, build, opset)
    for name in ['ts-resnet-basic', 'ts-resnet-bottleneck', 'ts-vit', 'ts-mixer', 'ts-cnn']:
        if (not only or name in only) and os.path.exists(os.path.join(OUT, f'{name}.onnx')):
            reference_for_ts(name)
