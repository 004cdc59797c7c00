"""The peer of bench/seq2seq.ts: the same sequence-to-sequence model in PyTorch (Debian python3-torch).

A BERT encoder (token + position + segment-0 embeddings, LayerNorm, post-LN blocks with exact GELU) and
a BERT-shaped decoder (token + position embeddings, LayerNorm, post-LN blocks of causal self-attention,
cross-attention over the encoder's output and feed-forward), an LM head tied to the decoder's token
embedding plus a bias: the structure and parameter count of src/engine/models/seq2seq.ts with a BERT
decoder. Trains on the batches bench/seq2seq.ts exports (token cross-entropy with label smoothing,
AdamW with weight decay 0.01, gradient clipping at 1, dropout as the config) and prints one JSON line:
ms per training step after the warm-up steps, parameters, torch config.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_seq2seq.py --data batches.json --threads 2
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_config import peer_config

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--steps', type=int, default=20)
p.add_argument('--warmup', type=int, default=3)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
data = json.load(open(a.data))
c = data['config']
H, V, L, A, I, P, drop = (c[k] for k in ('hidden', 'vocab', 'layers', 'heads', 'inner', 'positions', 'dropout'))
EPS = 1e-12


class Block(nn.Module):
    """Post-LN: x = LN(x + drop(self-attn(x))); [x = LN(x + drop(cross-attn(x, memory)))]; x = LN(x + drop(FFN(x)))."""

    def __init__(s, cross):
        super().__init__()
        s.self_attn = nn.MultiheadAttention(H, A, dropout=0.0, batch_first=True)
        s.ln1 = nn.LayerNorm(H, eps=EPS)
        s.cross = nn.MultiheadAttention(H, A, dropout=0.0, batch_first=True) if cross else None
        s.ln2 = nn.LayerNorm(H, eps=EPS) if cross else None
        s.f1, s.f2 = nn.Linear(H, I), nn.Linear(I, H)
        s.ln3 = nn.LayerNorm(H, eps=EPS)
        s.drop = nn.Dropout(drop)

    def forward(s, x, memory=None, causal=None):
        x = s.ln1(x + s.drop(s.self_attn(x, x, x, attn_mask=causal, need_weights=False)[0]))
        if s.cross is not None:
            x = s.ln2(x + s.drop(s.cross(x, memory, memory, need_weights=False)[0]))
        return s.ln3(x + s.drop(s.f2(F.gelu(s.f1(x)))))


class Seq2seq(nn.Module):
    def __init__(s):
        super().__init__()
        s.e_tok, s.e_pos, s.e_type = nn.Embedding(V, H), nn.Embedding(P, H), nn.Embedding(2, H)
        s.e_ln = nn.LayerNorm(H, eps=EPS)
        s.enc = nn.ModuleList(Block(False) for _ in range(L))
        s.d_tok, s.d_pos = nn.Embedding(V, H), nn.Embedding(P, H)
        s.d_ln = nn.LayerNorm(H, eps=EPS)
        s.dec = nn.ModuleList(Block(True) for _ in range(L))
        s.lm_bias = nn.Parameter(torch.zeros(V))
        s.drop = nn.Dropout(drop)
        for m in s.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.trunc_normal_(m.weight, std=0.02)

    def forward(s, src, tgt_in):
        B, S = src.shape
        T = tgt_in.shape[1]
        pos_s = torch.arange(S).unsqueeze(0)
        x = s.drop(s.e_ln(s.e_tok(src) + s.e_pos(pos_s) + s.e_type(torch.zeros_like(src))))
        for b in s.enc:
            x = b(x)
        y = s.drop(s.d_ln(s.d_tok(tgt_in) + s.d_pos(torch.arange(T).unsqueeze(0))))
        causal = torch.triu(torch.full((T, T), float('-inf')), diagonal=1)
        for b in s.dec:
            y = b(y, x, causal)
        return y @ s.d_tok.weight.t() + s.lm_bias


model = Seq2seq()
decay = [p for n, p in model.named_parameters() if p.dim() > 1]
no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=data['lr'], eps=1e-6)
batches = [(torch.tensor(b['src']), torch.tensor(b['tgtIn']), torch.tensor(b['tgtOut'])) for b in data['batches']]
model.train()
times = []
for step in range(a.warmup + a.steps):
    src, tgt_in, tgt_out = batches[step % len(batches)]
    t0 = time.perf_counter()
    logits = model(src, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), label_smoothing=data['labelSmoothing'])
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    float(loss)
    if step >= a.warmup:
        times.append(time.perf_counter() - t0)
print(json.dumps({
    'peer': f'PyTorch {torch.__version__}',
    'msPerStep': 1000 * sum(times) / len(times),
    'steps': len(times),
    'loss': float(loss),
    'parameters': sum(p.numel() for p in model.parameters()),
    'config': peer_config(),
}))
