"""PyTorch peer of bench/against-torch.mjs: the same GEMMs, the same ViT training step
(bench/vit.mjs) and the same CLIP contrastive step (bench/clip.mjs), timed one call at a time
on request so the two runtimes alternate and never run at once.

Protocol (JSON lines): stdin {"key": "gemm:512:0:1" | "vit" | "clip"} -> stdout
{"s": seconds of one call}. The first line written is {"ready": ..., "torch": version, ...}.
"""
import json
import math
import sys
import time

import numpy  # noqa: F401  (the issue asks for torch + numpy; torch needs it for from_numpy)
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)


class Block(nn.Module):
    """Pre-norm block: the same layers, in the same order, as block() in bench/vit.mjs."""

    def __init__(self, width, heads, mlp_ratio, causal=False):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.ln1 = nn.LayerNorm(width, eps=1e-5)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width, eps=1e-5)
        self.fc1 = nn.Linear(width, mlp_ratio * width)
        self.fc2 = nn.Linear(mlp_ratio * width, width)

    def forward(self, x):
        b, t, w = x.shape
        hd = w // self.heads
        qkv = self.qkv(self.ln1(x)).reshape(b, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        if self.causal:
            scores = scores + torch.triu(torch.full((t, t), -1e9), 1)
        att = scores.softmax(-1) @ v
        x = x + self.proj(att.transpose(1, 2).reshape(b, t, w))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Vit(nn.Module):
    def __init__(self, width=128, depth=6, heads=4, tokens=50, patch_dim=48, mlp_ratio=4, classes=10):
        super().__init__()
        self.patch = nn.Linear(patch_dim, width)
        self.cls = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, tokens, width) * 0.02)
        self.blocks = nn.ModuleList([Block(width, heads, mlp_ratio) for _ in range(depth)])
        self.ln = nn.LayerNorm(width, eps=1e-5)
        self.head = nn.Linear(width, classes)

    def forward(self, patches):
        x = self.patch(patches)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x)[:, 0])


class Clip(nn.Module):
    """bench/clip.mjs: ViT image tower (ln_pre, CLS pooling) + causal text tower (EOT pooling)."""

    def __init__(self, cfg):
        super().__init__()
        v, t, e = cfg["vision"], cfg["text"], cfg["embedDim"]
        patch_dim = v["channels"] * v["patchSize"] ** 2
        tokens = (v["imageSize"] // v["patchSize"]) ** 2 + 1
        self.patch = nn.Linear(patch_dim, v["width"], bias=False)
        self.cls = nn.Parameter(torch.randn(1, 1, v["width"]) * 0.02)
        self.vpos = nn.Parameter(torch.randn(1, tokens, v["width"]) * 0.02)
        self.ln_pre = nn.LayerNorm(v["width"])
        self.vblocks = nn.ModuleList([Block(v["width"], v["heads"], v["mlpRatio"]) for _ in range(v["depth"])])
        self.ln_post = nn.LayerNorm(v["width"])
        self.vproj = nn.Parameter(torch.randn(v["width"], e) * 0.02)
        self.token = nn.Embedding(t["vocabSize"], t["width"])
        self.tpos = nn.Parameter(torch.randn(1, t["contextLength"], t["width"]) * 0.02)
        self.tblocks = nn.ModuleList([Block(t["width"], t["heads"], t["mlpRatio"], causal=True) for _ in range(t["depth"])])
        self.ln_final = nn.LayerNorm(t["width"])
        self.tproj = nn.Parameter(torch.randn(t["width"], e) * 0.02)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, patches, ids, eot):
        x = self.patch(patches)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.vpos
        x = self.ln_pre(x)
        for blk in self.vblocks:
            x = blk(x)
        image = self.ln_post(x[:, 0]) @ self.vproj
        y = self.token(ids) + self.tpos
        for blk in self.tblocks:
            y = blk(y)
        y = self.ln_final(y)
        text = y[torch.arange(y.shape[0]), eot] @ self.tproj
        # Same normalisation as @hotplug/kernels' cosineLogits: x / sqrt(sum x^2 + 1e-12).
        image = image * torch.rsqrt((image * image).sum(1, keepdim=True) + 1e-12)
        text = text * torch.rsqrt((text * text).sum(1, keepdim=True) + 1e-12)
        logits = self.logit_scale.exp() * image @ text.t()
        labels = torch.arange(logits.shape[0])
        return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels))


def training_step(model, inputs, loss_of):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_of(model, inputs)
        loss.backward()
        opt.step()
        loss.item()

    return step


def make(key, clip_cfg, vit_cfg):
    if key.startswith("gemm:"):
        _, n, ta, tb = key.split(":")
        n = int(n)
        a = torch.rand(n, n) * 2 - 1
        b = torch.rand(n, n) * 2 - 1
        # A transposed operand is a transposed view, as tf.matMul(a, b, true, ...) reads it.
        a = a.t() if ta == "1" else a
        b = b.t() if tb == "1" else b
        return lambda: a @ b
    if key == "vit":
        c = vit_cfg
        model = Vit(c["width"], c["depth"], c["heads"], c["tokens"], c["patchDim"], c["mlpRatio"], c["classes"])
        patches = torch.randn(c["batch"], c["tokens"] - 1, c["patchDim"])
        labels = torch.arange(c["batch"]) % c["classes"]
        return training_step(model, (patches, labels), lambda m, i: F.cross_entropy(m(i[0]), i[1]))
    if key == "clip":
        c = clip_cfg
        model = Clip(c)
        v, t = c["vision"], c["text"]
        tokens = (v["imageSize"] // v["patchSize"]) ** 2
        patches = torch.randn(c["batch"], tokens, v["channels"] * v["patchSize"] ** 2)
        ids = torch.tensor(c["ids"], dtype=torch.long).reshape(c["batch"], t["contextLength"])
        eot = torch.tensor(c["eot"], dtype=torch.long)
        return training_step(model, (patches, ids, eot), lambda m, i: m(*i))
    raise ValueError(f"unknown key {key}")


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    configs = json.loads(sys.stdin.readline())
    capability = [l.split(":")[-1].strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l]
    # Which BLAS the process actually mapped (Debian's torch goes through libblas.so.3 alternatives).
    with open("/proc/self/maps") as maps:
        blas = sorted({l.split("/")[-1].strip() for l in maps if "blas" in l.lower()})
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "capability": capability[0] if capability else "?", "blas": ", ".join(blas) or "?"}), flush=True)
    cache = {}
    for line in sys.stdin:
        key = json.loads(line)["key"]
        if key not in cache:
            cache[key] = make(key, configs["clip"], configs["vit"])
        fn = cache[key]
        t0 = time.perf_counter()
        fn()
        print(json.dumps({"s": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    main()
