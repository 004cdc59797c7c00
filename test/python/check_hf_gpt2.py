#!/usr/bin/env python3
"""Checks a GPT2LMHeadModel folder exported by `pretrain-lab export-hf` with PyTorch alone.

A plain PyTorch GPT-2 forward written here from the paper and transformers' modeling_gpt2 (pre-LN
blocks, Conv1D weights [in, out], causal attention, gelu_new, final ln_f, LM head tied to wte),
compared with the next-token logits our engine wrote (see dumpLogits.ts).

Usage: python3 test/python/check_hf_gpt2.py HF_DIR EXPECTED.json    Exit 0 when max |diff| < 1e-4.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from check_hf_export import load_weights  # noqa: E402


def gpt2_forward(cfg, w, ids):
    p = "transformer." if "transformer.wte.weight" in w else ""
    C, nh, eps = cfg["n_embd"], cfg["n_head"], cfg.get("layer_norm_epsilon", 1e-5)
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (C,), w[p + n + ".weight"], w[p + n + ".bias"], eps)
    conv = lambda x, n: x @ w[p + n + ".weight"] + w[p + n + ".bias"]  # Conv1D: weight [in, out]
    gelu = lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    T = ids.shape[0]
    x = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][torch.arange(T)]
    dh = C // nh
    causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
    for l in range(cfg["n_layer"]):
        h = f"h.{l}."
        q, k, v = conv(ln(x, h + "ln_1"), h + "attn.c_attn").split(C, dim=-1)
        heads = lambda t: t.view(T, nh, dh).transpose(0, 1)
        q, k, v = heads(q), heads(k), heads(v)
        probs = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(dh) + causal, dim=-1)
        x = x + conv((probs @ v).transpose(0, 1).reshape(T, C), h + "attn.c_proj")
        x = x + conv(gelu(conv(ln(x, h + "ln_2"), h + "mlp.c_fc")), h + "mlp.c_proj")
    x = ln(x, "ln_f")
    return x @ w.get("lm_head.weight", w[p + "wte.weight"]).T


def main():
    d, expected = sys.argv[1], json.load(open(sys.argv[2]))
    cfg = json.load(open(os.path.join(d, "config.json")))
    assert cfg["model_type"] == "gpt2" and cfg["architectures"] == ["GPT2LMHeadModel"], cfg
    w = load_weights(d)
    ids = torch.tensor(expected["input_ids"])
    with torch.no_grad():
        logits = gpt2_forward(cfg, w, ids)
    ours = torch.tensor(expected["logits"]).view(logits.shape)
    diff = (logits - ours).abs().max().item()
    print(f"torch {torch.__version__}: {len(w)} tensors, {ids.shape[0]} tokens; max |logit diff| {diff:.3g}")
    print("OK" if diff < 1e-4 else "MISMATCH")
    sys.exit(0 if diff < 1e-4 else 1)


if __name__ == "__main__":
    main()
