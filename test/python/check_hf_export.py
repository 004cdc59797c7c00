#!/usr/bin/env python3
"""Checks a Hugging Face BERT folder exported by `pretrain-lab export-hf` with PyTorch alone.

Reads model.safetensors by hand (the format is a length, a JSON header and raw little-endian data;
the `safetensors` package is used instead when installed), runs a plain PyTorch BERT forward written
here from the paper and transformers' modeling_bert (post-LayerNorm encoder, GELU, tied MLM decoder,
NSP on the tanh pooler), and compares its MLM and NSP logits with the ones our engine wrote.

Usage: python3 test/python/check_hf_export.py HF_DIR EXPECTED.json   (see dumpLogits.ts)
Exit code 0 when max |diff| < 1e-4, else 1. Not part of the unit tests.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def load_safetensors(path):
    try:
        from safetensors.torch import load_file  # type: ignore

        return {k: v.float() for k, v in load_file(path).items()}
    except ImportError:
        pass
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        raw = data[b:en]
        if e["dtype"] == "BF16":
            u = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[e["dtype"]]).newbyteorder("<")).astype(np.float32)
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out


def load_weights(d):
    index = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(index):
        w = {}
        for shard in sorted(set(json.load(open(index))["weight_map"].values())):
            w.update(load_safetensors(os.path.join(d, shard)))
        return w
    return load_safetensors(os.path.join(d, "model.safetensors"))


def act(name):
    if name == "relu":
        return torch.relu
    if name == "gelu_new":
        return lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def bert_forward(cfg, w, ids, types):
    p = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
    H, nh, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg.get("layer_norm_eps", 1e-12)
    f = act(cfg.get("hidden_act", "gelu"))
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (H,), w[n + ".weight"], w[n + ".bias"], eps)
    lin = lambda x, n: x @ w[n + ".weight"].T + w[n + ".bias"]
    T = ids.shape[0]
    x = (
        w[p + "embeddings.word_embeddings.weight"][ids]
        + w[p + "embeddings.position_embeddings.weight"][torch.arange(T)]
        + w[p + "embeddings.token_type_embeddings.weight"][types]
    )
    x = ln(x, p + "embeddings.LayerNorm")
    dh = H // nh
    for l in range(cfg["num_hidden_layers"]):
        q = p + f"encoder.layer.{l}."
        heads = lambda t: t.view(T, nh, dh).transpose(0, 1)  # [nh, T, dh]
        Q, K, V = (heads(lin(x, q + "attention.self." + n)) for n in ("query", "key", "value"))
        probs = torch.softmax(Q @ K.transpose(1, 2) / math.sqrt(dh), dim=-1)
        ctx = (probs @ V).transpose(0, 1).reshape(T, H)
        x = ln(lin(ctx, q + "attention.output.dense") + x, q + "attention.output.LayerNorm")
        h = lin(f(lin(x, q + "intermediate.dense")), q + "output.dense")
        x = ln(h + x, q + "output.LayerNorm")
    t = ln(f(lin(x, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm")
    decoder = w.get("cls.predictions.decoder.weight", w[p + "embeddings.word_embeddings.weight"])
    mlm = t @ decoder.T + w["cls.predictions.bias"]
    pooled = torch.tanh(lin(x[0], p + "pooler.dense"))
    nsp = lin(pooled, "cls.seq_relationship")
    return mlm, nsp


def main():
    d, expected = sys.argv[1], json.load(open(sys.argv[2]))
    cfg = json.load(open(os.path.join(d, "config.json")))
    assert cfg["model_type"] == "bert" and cfg["architectures"] == ["BertForPreTraining"], cfg
    w = load_weights(d)
    ids = torch.tensor(expected["input_ids"])
    types = torch.tensor(expected["token_type_ids"])
    with torch.no_grad():
        mlm, nsp = bert_forward(cfg, w, ids, types)
    ours_mlm = torch.tensor(expected["mlm_logits"]).view(mlm.shape)
    ours_nsp = torch.tensor(expected["nsp_logits"]).view(nsp.shape)
    d_mlm = (mlm - ours_mlm).abs().max().item()
    d_nsp = (nsp - ours_nsp).abs().max().item()
    print(
        f"torch {torch.__version__}: {len(w)} tensors, {ids.shape[0]} tokens, vocab {mlm.shape[-1]}; "
        f"max |MLM logit diff| {d_mlm:.3g}, max |NSP logit diff| {d_nsp:.3g}"
    )
    ok = d_mlm < 1e-4 and d_nsp < 1e-4
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
