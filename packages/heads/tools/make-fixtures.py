#!/usr/bin/env python3
"""Writes test fixtures for @hotplug/heads, computed independently with numpy:

  test/fixtures/mlp-head/      a saved MLP head (head.json + weights.bin) written from this
                               script's own reading of the format, with random weights
  test/fixtures/expected.json  inputs, the head's class probabilities (float64 numpy
                               forward pass), and a retrieval case with its top-k and mAP

Run from packages/heads:  python3 tools/make-fixtures.py
"""
import hashlib
import json
import os

import numpy as np

rng = np.random.default_rng(20261123)
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', 'test', 'fixtures')
head_dir = os.path.join(out, 'mlp-head')
os.makedirs(head_dir, exist_ok=True)

dim, hidden, classes = 6, 5, 3
w0 = rng.normal(size=(dim, hidden)).astype(np.float32)
b0 = rng.normal(size=(hidden,)).astype(np.float32)
w1 = rng.normal(size=(hidden, classes)).astype(np.float32)
b1 = rng.normal(size=(classes,)).astype(np.float32)

arrays, blobs, offset = [], [], 0
for name, a in [('layer0.weight', w0), ('layer0.bias', b0), ('layer1.weight', w1), ('layer1.bias', b1)]:
    raw = a.astype('<f4').tobytes()
    arrays.append({'name': name, 'dtype': 'float32', 'shape': list(a.shape), 'offset': offset, 'byteLength': len(raw)})
    blobs.append(raw)
    offset += len(raw)
weights = b''.join(blobs)
with open(os.path.join(head_dir, 'weights.bin'), 'wb') as f:
    f.write(weights)
config = {
    'format': 'hotplug-head',
    'formatVersion': 1,
    'kind': 'mlp',
    'config': {
        'info': {'kind': 'mlp', 'dim': dim, 'numClasses': classes, 'normalize': True, 'modelId': 'numpy-fixture'},
        'options': {'hidden': [hidden], 'epochs': 1, 'batchSize': 64, 'learningRate': 0.003, 'weightDecay': 0, 'normalize': True, 'seed': 0},
    },
    'arrays': arrays,
    'weightsSha256': hashlib.sha256(weights).hexdigest(),
}
with open(os.path.join(head_dir, 'head.json'), 'w') as f:
    json.dump(config, f, indent=2)
    f.write('\n')

# The head's forward pass in float64: L2-normalise, affine, ReLU, affine, softmax.
x = rng.normal(size=(7, dim)).astype(np.float32)
xn = x.astype(np.float64) / np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
h = np.maximum(xn @ w0.astype(np.float64) + b0, 0.0)
logits = h @ w1.astype(np.float64) + b1
p = np.exp(logits - logits.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)

# Retrieval: cosine ranking of a gallery, AP per query over the full ranking.
g = rng.normal(size=(40, dim)).astype(np.float32)
gl = rng.integers(0, 4, size=40)
q = rng.normal(size=(9, dim)).astype(np.float32)
ql = rng.integers(0, 5, size=9)  # label 4 never occurs in the gallery
gn = g.astype(np.float64) / np.linalg.norm(g.astype(np.float64), axis=1, keepdims=True)
qn = q.astype(np.float64) / np.linalg.norm(q.astype(np.float64), axis=1, keepdims=True)
sims = qn @ gn.T
aps, top1, top5 = [], 0, 0
for i in range(len(q)):
    order = np.argsort(-sims[i], kind='stable')
    rel = gl[order] == ql[i]
    if rel[:1].any():
        top1 += 1
    if rel[:5].any():
        top5 += 1
    if rel.any():
        precision_at_hits = np.cumsum(rel)[rel] / (np.nonzero(rel)[0] + 1)
        aps.append(float(precision_at_hits.mean()))

expected = {
    'head': {'inputs': x.tolist(), 'probabilities': p.tolist()},
    'retrieval': {
        'gallery': g.tolist(), 'galleryLabels': gl.tolist(), 'queries': q.tolist(), 'queryLabels': ql.tolist(),
        'top1': top1 / len(q), 'top5': top5 / len(q), 'mAP': float(np.mean(aps)),
        'queriesWithoutRelevant': int(len(q) - len(aps)),
    },
}
with open(os.path.join(out, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
    f.write('\n')
print(f'wrote {head_dir} and expected.json: mAP {expected["retrieval"]["mAP"]:.6f}')
