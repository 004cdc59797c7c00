"""The peer of bench/bertStep.ts: the same BERT-tiny pretraining step in PyTorch (Debian python3-torch).

Prints one JSON line: ms per training step (median), tokens/s, one-sentence forward ms, peak RSS.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_bert.py --threads 2
"""
import argparse, json, math, resource, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_config import peer_config

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=2)
p.add_argument('--steps', type=int, default=10)
p.add_argument('--vocab', type=int, default=8000)
p.add_argument('--hidden', type=int, default=128)
p.add_argument('--layers', type=int, default=2)
p.add_argument('--heads', type=int, default=2)
p.add_argument('--seq', type=int, default=64)
p.add_argument('--batch', type=int, default=16)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
H, V, T, B, L, A = a.hidden, a.vocab, a.seq, a.batch, a.layers, a.heads
P = max(1, round(T * 0.15))


class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.q, s.k, s.v, s.o = (nn.Linear(H, H) for _ in range(4))
        s.ln1, s.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
        s.f1, s.f2 = nn.Linear(H, 4 * H), nn.Linear(4 * H, H)
        s.drop = nn.Dropout(0.1)

    def forward(s, x, bias):
        b, t, _ = x.shape
        sh = lambda y: y.view(b, t, A, H // A).transpose(1, 2)
        att = (sh(s.q(x)) @ sh(s.k(x)).transpose(-1, -2)) / math.sqrt(H // A) + bias
        ctx = (s.drop(att.softmax(-1)) @ sh(s.v(x))).transpose(1, 2).reshape(b, t, H)
        x = s.ln1(x + s.drop(s.o(ctx)))
        return s.ln2(x + s.drop(s.f2(F.gelu(s.f1(x)))))


class Bert(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok, s.pos, s.seg = nn.Embedding(V, H), nn.Embedding(512, H), nn.Embedding(2, H)
        s.ln = nn.LayerNorm(H, eps=1e-12)
        s.layers = nn.ModuleList(Layer() for _ in range(L))
        s.pool, s.tr, s.tln = nn.Linear(H, H), nn.Linear(H, H), nn.LayerNorm(H, eps=1e-12)
        s.mlm_bias, s.nsp = nn.Parameter(torch.zeros(V)), nn.Linear(H, 2)
        s.drop = nn.Dropout(0.1)

    def forward(s, ids, segs, mask, mpos):
        b, t = ids.shape
        x = s.drop(s.ln(s.tok(ids) + s.pos(torch.arange(t)) + s.seg(segs)))
        bias = ((1 - mask) * -10000.0)[:, None, None, :]
        for l in s.layers:
            x = l(x, bias)
        h = x.reshape(b * t, H)[mpos]
        mlm = s.tln(F.gelu(s.tr(h))) @ s.tok.weight.T + s.mlm_bias
        return mlm, s.nsp(torch.tanh(s.pool(x[:, 0])))


m = Bert()
opt = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0.01)
ids = torch.randint(5, V, (B, T))
segs = torch.zeros(B, T, dtype=torch.long)
mask = torch.ones(B, T)
mpos = torch.arange(B * P) * (T // P)
labels = torch.randint(5, V, (B * P,))
nsp_labels = torch.randint(0, 2, (B,))


def step():
    opt.zero_grad()
    mlm, nsp = m(ids, segs, mask, mpos)
    loss = F.cross_entropy(mlm, labels) + F.cross_entropy(nsp, nsp_labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()


for _ in range(3):
    step()
times = []
for _ in range(a.steps):
    t0 = time.perf_counter(); step(); times.append((time.perf_counter() - t0) * 1000)
m.eval()
one = torch.randint(5, V, (1, T))
with torch.no_grad():
    for _ in range(3):
        m(one, torch.zeros(1, T, dtype=torch.long), torch.ones(1, T), torch.arange(P))
    fw = []
    for _ in range(20):
        t0 = time.perf_counter(); m(one, torch.zeros(1, T, dtype=torch.long), torch.ones(1, T), torch.arange(P)); fw.append((time.perf_counter() - t0) * 1000)
ms = statistics.median(times)
print(json.dumps({'peer': f'pytorch {torch.__version__}', 'threads': a.threads, 'stepMs': ms, 'tokensPerSecond': B * T * 1000 / ms,
                  'forwardMs': statistics.median(fw), 'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  'parameters': sum(x.numel() for x in m.parameters()), 'config': peer_config()}))
