"""The peer of bench/gptStep.ts: the same GPT-tiny (GPT-2 shape: pre-LN, final LayerNorm, GELU tanh,
learned positions, LM head tied to the token embedding) in PyTorch (Debian python3-torch).

1. One training step (next-token cross-entropy, dropout 0.1, AdamW with decay on matrices and the
   token embedding only, eps 1e-6, clipping at 1): ms per step, median of --steps after 3 warm-up steps.
2. Greedy generation with a key/value cache, as a Hugging Face `generate`-style loop: the prompt once,
   then one token at a time reading the cached keys and values; tokens/s, median of 3 after one warm-up.

Prints one JSON line. Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_gpt.py --threads 2
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_step import median_ms, peer_args, report

a = peer_args(vocab=2000, hidden=128, layers=2, heads=2, positions=128, seq=64, batch=16, prompt=8, new=100)
C, V, T, B, L, A, P = a.hidden, a.vocab, a.seq, a.batch, a.layers, a.heads, a.positions
DH = C // A
EPS = 1e-5


class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln_1, s.ln_2 = nn.LayerNorm(C, eps=EPS), nn.LayerNorm(C, eps=EPS)
        s.c_attn, s.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        s.c_fc, s.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
        s.drop = nn.Dropout(0.1)

    def forward(s, x, past=None):
        """x [b, n, C]; past = (k, v) [b, A, t, DH] of earlier positions or None. Returns x and (k, v)."""
        b, n, _ = x.shape
        sh = lambda y: y.view(b, n, A, DH).transpose(1, 2)
        q, k, v = (sh(y) for y in s.c_attn(s.ln_1(x)).split(C, -1))
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        t = k.shape[2]
        att = (q @ k.transpose(-1, -2)) / math.sqrt(DH)
        if n > 1:  # query i sits at position t - n + i and sees keys 0 … t - n + i
            mask = torch.ones(n, t, dtype=torch.bool).triu(t - n + 1)
            att = att.masked_fill(mask, -1e9)
        ctx = (s.drop(att.softmax(-1)) @ v).transpose(1, 2).reshape(b, n, C)
        x = x + s.drop(s.c_proj(ctx))
        x = x + s.drop(s.mlp_proj(F.gelu(s.c_fc(s.ln_2(x)), approximate='tanh')))
        return x, (k, v)


class Gpt(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte, s.wpe = nn.Embedding(V, C), nn.Embedding(P, C)
        s.h = nn.ModuleList(Block() for _ in range(L))
        s.ln_f = nn.LayerNorm(C, eps=EPS)
        s.drop = nn.Dropout(0.1)
        for name, w in s.named_parameters():
            if w.dim() == 2:
                nn.init.normal_(w, 0, 0.02 / math.sqrt(2 * L) if name.endswith('proj.weight') else 0.02)

    def forward(s, ids, cache=None):
        """ids [b, n] after `cache` (a list of (k, v) per layer, or None): logits [b, n, V], new cache."""
        start = 0 if cache is None else cache[0][0].shape[2]
        x = s.drop(s.wte(ids) + s.wpe(torch.arange(start, start + ids.shape[1])))
        new = []
        for l, blk in enumerate(s.h):
            x, kv = blk(x, None if cache is None else cache[l])
            new.append(kv)
        return s.ln_f(x) @ s.wte.weight.T, new  # the LM head is the token embedding (tied, no bias)


m = Gpt()
decay = [w for n, w in m.named_parameters() if n.endswith('weight') and w.dim() == 2 and n != 'wpe.weight']
rest = [w for n, w in m.named_parameters() if not (n.endswith('weight') and w.dim() == 2 and n != 'wpe.weight')]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': rest, 'weight_decay': 0.0}],
                        lr=1e-3, eps=1e-6)
ids = torch.randint(3, V, (B, T))
targets = torch.randint(3, V, (B, T))


def step():
    opt.zero_grad()
    logits, _ = m(ids)
    F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1)).backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()


m.train()
ms = median_ms(step, a.steps)

m.eval()
prompt = torch.randint(3, V, (1, a.prompt))


@torch.no_grad()
def generate():
    """Greedy decoding with the key/value cache: the prompt once, then one new token per step."""
    logits, cache = m(prompt)
    out = []
    for i in range(a.new):
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        if i + 1 < a.new:  # as ours: a forward per token still to pick, none after the last
            logits, cache = m(torch.tensor([[nxt]]), cache)
    return out


gen_ms = median_ms(generate, 3, warmup=1)
report(m, a.threads, stepMs=ms, tokensPerSecond=B * T * 1000 / ms, genTokensPerSecond=a.new * 1000 / gen_ms)
