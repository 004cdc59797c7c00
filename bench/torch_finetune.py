"""The peer of bench/finetune.ts: the same BERT-tiny POS-tagging fine-tune in PyTorch (Debian python3-torch).

Reads the encoded sentences bench/finetune.ts exports (WordPiece ids, each word's first-piece position,
its tag), builds BERT of the base's config.json (post-LN, exact GELU, dropout 0.1) with a linear tag head
on each word's first piece, and trains every layer with AdamW (weight decay 0.01, 10% warm-up then
linear decay, gradient clipping at 1), shuffled batches padded to their longest sentence.
Prints one JSON line: examples/s from the 4th step to the last, parameters, torch config.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_finetune.py --data pos.json --base models/starter --threads 2
"""
import argparse, json, math, os, random, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_config import peer_config

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--base', required=True)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--epochs', type=int, default=2)
p.add_argument('--batch', type=int, default=16)
p.add_argument('--lr', type=float, default=5e-5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
cfg = json.load(open(os.path.join(a.base, 'config.json')))['bert']
H, V, L, A, I = cfg['hiddenSize'], cfg['vocabSize'], cfg['numLayers'], cfg['numHeads'], cfg['intermediateSize']
data = json.load(open(a.data))
K = len(data['labels'])
examples = data['examples']


class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.q, s.k, s.v, s.o = (nn.Linear(H, H) for _ in range(4))
        s.ln1, s.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
        s.f1, s.f2 = nn.Linear(H, I), nn.Linear(I, H)
        s.drop = nn.Dropout(0.1)

    def forward(s, x, bias):
        b, t, _ = x.shape
        sh = lambda y: y.view(b, t, A, H // A).transpose(1, 2)
        att = (sh(s.q(x)) @ sh(s.k(x)).transpose(-1, -2)) / math.sqrt(H // A) + bias
        ctx = (s.drop(att.softmax(-1)) @ sh(s.v(x))).transpose(1, 2).reshape(b, t, H)
        x = s.ln1(x + s.drop(s.o(ctx)))
        return s.ln2(x + s.drop(s.f2(F.gelu(s.f1(x)))))


class Tagger(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok, s.pos, s.seg = nn.Embedding(V, H), nn.Embedding(cfg['maxPositions'], H), nn.Embedding(2, H)
        s.ln = nn.LayerNorm(H, eps=1e-12)
        s.layers = nn.ModuleList(Layer() for _ in range(L))
        s.pool = nn.Linear(H, H)  # part of the encoder, as ours; tagging does not use it
        s.head = nn.Linear(H, K)
        s.drop = nn.Dropout(0.1)

    def forward(s, ids, segs, mask, flat):
        b, t = ids.shape
        x = s.drop(s.ln(s.tok(ids) + s.pos(torch.arange(t)) + s.seg(segs)))
        bias = ((1 - mask) * -10000.0)[:, None, None, :]
        for l in s.layers:
            x = l(x, bias)
        return s.head(s.drop(x.reshape(b * t, H)[flat]))


def batch(xs):
    T = max(len(e['ids']) for e in xs)
    ids = torch.zeros(len(xs), T, dtype=torch.long)
    mask = torch.zeros(len(xs), T)
    flat, tags = [], []
    for b, e in enumerate(xs):
        ids[b, :len(e['ids'])] = torch.tensor(e['ids'])
        mask[b, :len(e['ids'])] = 1
        flat += [b * T + f for f in e['firsts']]
        tags += e['tags']
    return ids, torch.zeros_like(ids), mask, torch.tensor(flat), torch.tensor(tags)


m = Tagger()
decay = [q for n, q in m.named_parameters() if not (n.endswith('bias') or 'ln' in n.split('.')[-2])]
rest = [q for n, q in m.named_parameters() if n.endswith('bias') or 'ln' in n.split('.')[-2]]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': rest, 'weight_decay': 0.0}], lr=a.lr)
per_epoch = math.ceil(len(examples) / a.batch)
total = per_epoch * a.epochs
warm = int(total * 0.1)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))
rng = random.Random(42)
m.train()
step, t0, seen = 0, None, 0
for epoch in range(a.epochs):
    order = list(range(len(examples)))
    rng.shuffle(order)
    for i in range(0, len(order), a.batch):
        xs = [examples[j] for j in order[i:i + a.batch]]
        ids, segs, mask, flat, tags = batch(xs)
        opt.zero_grad()
        loss = F.cross_entropy(m(ids, segs, mask, flat), tags)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        if step == 3:
            t0 = time.perf_counter()
        elif step > 3:
            seen += len(xs)
elapsed = time.perf_counter() - t0
print(json.dumps({'peer': f'pytorch {torch.__version__}', 'threads': a.threads, 'examplesPerSecond': seen / elapsed,
                  'steps': step - 3, 'parameters': sum(x.numel() for x in m.parameters()), 'config': peer_config()}))
