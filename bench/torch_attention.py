"""Peer of bench/attention.ts: a BERT forward that returns every layer's attention probabilities
(as Hugging Face's output_attentions does), timed for one sequence of T tokens.
Prints the peer's configuration (bench/torch_config.py), then one JSON line per size. Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_attention.py
"""
import json, math, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_config import peer_config

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
print(json.dumps({'config': peer_config()}), flush=True)


class Layer(nn.Module):
    def __init__(s, H, A):
        super().__init__()
        s.H, s.A = H, A
        s.q, s.k, s.v, s.o = (nn.Linear(H, H) for _ in range(4))
        s.ln1, s.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
        s.f1, s.f2 = nn.Linear(H, 4 * H), nn.Linear(4 * H, H)

    def forward(s, x):
        b, t, H = x.shape
        sh = lambda y: y.view(b, t, s.A, H // s.A).transpose(1, 2)
        probs = ((sh(s.q(x)) @ sh(s.k(x)).transpose(-1, -2)) / math.sqrt(H // s.A)).softmax(-1)
        ctx = (probs @ sh(s.v(x))).transpose(1, 2).reshape(b, t, H)
        x = s.ln1(x + s.o(ctx))
        return s.ln2(x + s.f2(F.gelu(s.f1(x)))), probs


class Encoder(nn.Module):
    def __init__(s, V, H, L, A):
        super().__init__()
        s.tok, s.pos, s.seg = nn.Embedding(V, H), nn.Embedding(512, H), nn.Embedding(2, H)
        s.ln = nn.LayerNorm(H, eps=1e-12)
        s.layers = nn.ModuleList(Layer(H, A) for _ in range(L))

    def forward(s, ids):
        x = s.ln(s.tok(ids) + s.pos(torch.arange(ids.shape[1])) + s.seg(torch.zeros_like(ids)))
        att = []
        for l in s.layers:
            x, p = l(x)
            att.append(p)
        return torch.stack(att)  # [L, 1, A, T, T]


sizes = [s for s in (sys.argv[2].split(',') if len(sys.argv) > 2 else ['tiny', 'base'])]
for name, V, H, L, A in [c for c in [('tiny', 8000, 128, 2, 2), ('base', 30522, 768, 12, 12)] if c[0] in sizes]:
    m = Encoder(V, H, L, A).eval()
    for T in (32, 128, 512):
        ids = torch.randint(5, V, (1, T))
        with torch.no_grad():
            m(ids)
            times = []
            for _ in range(3 if name == 'base' and T == 512 else 7):
                t0 = time.perf_counter(); a = m(ids).numpy(); times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({'model': name, 'tokens': T, 'ms': statistics.median(times)}), flush=True)
