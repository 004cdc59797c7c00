"""The peer of bench/elmoStep.ts: the same ELMo biLM training step in PyTorch (Debian python3-torch).

The model is ours op for op (models/elmo.ts, models/lstm.ts): a shared word embedding [V, D]; per
direction `layers` LSTMP layers (gates i, f, g, o from one input matmul over all steps plus one fused
recurrent matmul per step, one bias, cell clipped to ±3, the cell's output projected back to D), a
residual between layers, dropout 0.1 on the token layer and on every LSTM input; the backward LM reads
the window reversed; one softmax [D, V] + bias shared by both directions, full (not sampled); loss =
mean of the two cross-entropies; AdamW (decay on all but biases, eps 1e-6), clipping at 1.

`--variant nn` runs torch.nn.LSTM(proj_size=D) per layer instead: fused C++ cells, but NOT the same
computation (no cell clip, two biases b_ih + b_hh, so 4H more parameters per layer); for reference.

Prints one JSON line. Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_elmo.py --threads 2
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_step import median_ms, peer_args, report

a = peer_args(vocab=10000, embed=32, hidden=64, layers=2, seq=24, batch=16, variant='same')
if a.variant not in ('same', 'nn'):
    raise SystemExit(f'--variant is same or nn, not {a.variant}')
V, D, H, L, T, B = a.vocab, a.embed, a.hidden, a.layers, a.seq, a.batch
CLIP, DROP = 3.0, 0.1


class Lstmp(nn.Module):
    """models/lstm.ts: x [B, T, In] → [B, T, P]."""

    def __init__(s, n_in, hidden, proj):
        super().__init__()
        r = lambda *shape: nn.Parameter(torch.empty(*shape).uniform_(-1 / math.sqrt(shape[0]), 1 / math.sqrt(shape[0])))
        s.inputKernel, s.recurrentKernel, s.projection = r(n_in, 4 * hidden), r(proj, 4 * hidden), r(hidden, proj)
        s.bias = nn.Parameter(torch.zeros(4 * hidden))
        s.H, s.P = hidden, proj

    def forward(s, x):
        b, t, n_in = x.shape
        xg = (x.reshape(b * t, n_in) @ s.inputKernel + s.bias).view(b, t, 4 * s.H)
        h, c = x.new_zeros(b, s.P), x.new_zeros(b, s.H)
        outs = []
        for k in range(t):
            i, f, g, o = (xg[:, k] + h @ s.recurrentKernel).chunk(4, 1)
            c = (torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)).clamp(-CLIP, CLIP)
            h = (torch.sigmoid(o) * torch.tanh(c)) @ s.projection
            outs.append(h)
        return torch.stack(outs, 1)


class NnLstm(nn.Module):
    def __init__(s, n_in, hidden, proj):
        super().__init__()
        s.lstm = nn.LSTM(n_in, hidden, batch_first=True, proj_size=proj)

    def forward(s, x):
        return s.lstm(x)[0]


Cell = Lstmp if a.variant == 'same' else NnLstm


class Elmo(nn.Module):
    def __init__(s):
        super().__init__()
        s.embedding = nn.Embedding(V, D)
        nn.init.normal_(s.embedding.weight, 0, 1 / math.sqrt(D))
        s.forward_lm = nn.ModuleList(Cell(D, H, D) for _ in range(L))
        s.backward_lm = nn.ModuleList(Cell(D, H, D) for _ in range(L))
        s.softmax_kernel = nn.Parameter(torch.randn(D, V) / math.sqrt(D))
        s.softmax_bias = nn.Parameter(torch.zeros(V))

    def direction(s, cells, x):
        h = x
        for l, cell in enumerate(cells):
            y = cell(F.dropout(h, DROP, s.training))
            h = y if l == 0 else y + h  # residual between the LSTM layers
        return h

    def forward(s, ids):
        """ids [B, T + 1]: the forward LM reads 0…T−1 and predicts 1…T, the backward LM reads T…1."""
        x = F.dropout(s.embedding(ids), DROP, s.training)
        fwd = s.direction(s.forward_lm, x[:, :-1])
        bwd = s.direction(s.backward_lm, x[:, 1:].flip(1)).flip(1)
        ce = lambda h, tgt: F.cross_entropy(h.reshape(-1, D) @ s.softmax_kernel + s.softmax_bias, tgt.reshape(-1))
        return (ce(fwd, ids[:, 1:]) + ce(bwd, ids[:, :-1])) / 2


m = Elmo()
decay = [w for n, w in m.named_parameters() if 'bias' not in n]
rest = [w for n, w in m.named_parameters() if 'bias' in n]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': rest, 'weight_decay': 0.0}],
                        lr=5e-3, eps=1e-6)
ids = torch.randint(2, V, (B, T + 1))


def step():
    opt.zero_grad()
    m(ids).backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()


m.train()
ms = median_ms(step, a.steps)
report(m, a.threads, variant=a.variant, stepMs=ms, tokensPerSecond=B * T * 1000 / ms)
