"""The PyTorch side of bench/sameBatches.ts: trains a BERT on the batches our pipeline wrote.

Reads DIR/meta.json (recipe, BERT config, parameter shapes, questions), DIR/init.bin (our initial
weights, float32, in meta's order) and DIR/batches.bin (per batch: input ids, segment ids, attention
mask [B*T]; masked positions, ids, weights [B*P]; NSP labels [B]). The model is written functionally
over a dict of parameters with our names, so the weights, the decay groups (no decay on biases and
LayerNorm) and the loss (weighted MLM cross-entropy + nsp_weight * NSP cross-entropy) match ours.
Prints its configuration, then one JSON line: the curve, the questions answered, the seconds.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_mlm_same.py --dir bench/out/same --threads 2
"""
import argparse, json, math, os, re, time
import numpy as np
import torch
from torch_config import peer_config
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--dir', required=True)
p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
meta = json.load(open(os.path.join(a.dir, 'meta.json')))
r, c = meta['recipe'], meta['config']
H, L, A, eps = c['hiddenSize'], c['numLayers'], c['numHeads'], c['layerNormEps']
B, T, P, steps, every = r['batchSize'], r['seqLength'], r['maxPredictions'], r['steps'], r['every']
torch.manual_seed(r['seed'])

shown = torch.__config__.show()
blas = [l.strip() for l in shown.splitlines() if ('MKL' in l or 'OpenMP' in l) and 'Build' not in l]
blas += re.findall(r'\b(?:BLAS_INFO|LAPACK_INFO|USE_MKLDNN|USE_OPENMP)=[^,\s]*', shown)
config_lines = [f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '')}",
                *(f'  {l}' for l in blas), f"  BLAS loaded: {peer_config()['blasLoaded']}"]

init = np.fromfile(os.path.join(a.dir, 'init.bin'), dtype=np.float32)
params, off = {}, 0
for name, shape in meta['shapes']:
    n = int(np.prod(shape))
    params[name] = torch.tensor(init[off:off + n].reshape(shape), requires_grad=True)
    off += n
W = params

def dense(x, n): return x @ W[n + '.kernel'] + W[n + '.bias']
def ln(x, n): return F.layer_norm(x, (H,), W[n + '.gamma'], W[n + '.beta'], eps)
def drop(x, training): return F.dropout(x, c['dropout'], training) if training and c['dropout'] > 0 else x

def encoder(ids, segs, mask, training):
    b, t = ids.shape
    x = W['embeddings.word_embeddings'][ids] + W['embeddings.position_embeddings'][torch.arange(t)] + W['embeddings.token_type_embeddings'][segs]
    x = drop(ln(x, 'embeddings.LayerNorm'), training)
    bias = ((1 - mask) * -10000.0)[:, None, None, :]
    dh = H // A
    for l in range(L):
        pre = f'encoder.layer_{l}.'
        sh = lambda y: y.view(b, t, A, dh).transpose(1, 2)
        q, k, v = (sh(dense(x, pre + 'attention.self.' + n)) for n in ('query', 'key', 'value'))
        probs = ((q @ k.transpose(-1, -2)) / math.sqrt(dh) + bias).softmax(-1)
        ctx = (drop(probs, training) @ v).transpose(1, 2).reshape(b, t, H)
        x = ln(drop(dense(ctx, pre + 'attention.output.dense'), training) + x, pre + 'attention.output.LayerNorm')
        f = dense(F.gelu(dense(x, pre + 'intermediate.dense')), pre + 'output.dense')
        x = ln(drop(f, training) + x, pre + 'output.LayerNorm')
    return x

def mlm_logits(x, flat_pos):
    h = x.reshape(-1, H)[flat_pos]
    h = ln(F.gelu(dense(h, 'cls.predictions.transform.dense')), 'cls.predictions.transform.LayerNorm')
    return h @ W['embeddings.word_embeddings'].T + W['cls.predictions.output_bias']

def nsp_logits(x):
    pooled = torch.tanh(dense(x[:, 0], 'pooler.dense'))
    return pooled @ W['cls.seq_relationship.output_weights'] + W['cls.seq_relationship.output_bias']

decays = lambda n: not (n.endswith('bias') or 'LayerNorm' in n)
opt = torch.optim.AdamW([
    {'params': [v for n, v in W.items() if decays(n)], 'weight_decay': r['weightDecay']},
    {'params': [v for n, v in W.items() if not decays(n)], 'weight_decay': 0.0},
], lr=r['learningRate'], eps=r['epsilon'], betas=(0.9, 0.999))

def lr_at(step):  # src/engine/train/schedule.ts
    peak, warm = r['learningRate'], r['warmupSteps']
    if warm > 0 and step < warm:
        return peak * (step + 1) / warm
    return peak * max(0.0, 1 - (step - warm) / max(1, steps - warm))

raw = np.fromfile(os.path.join(a.dir, 'batches.bin'), dtype=np.int32)
per = 3 * B * T + 3 * B * P + B

def batch(k):
    chunk, o, out = raw[k * per:(k + 1) * per], 0, []
    for n, kind in ((B * T, 'i'), (B * T, 'i'), (B * T, 'f'), (B * P, 'i'), (B * P, 'i'), (B * P, 'f'), (B, 'i')):
        part = chunk[o:o + n]
        out.append(torch.from_numpy(part.view(np.float32).copy()) if kind == 'f' else torch.from_numpy(part.astype(np.int64)))
        o += n
    ids, segs, mask, pos, mids, mw, nsp = out
    return ids.view(B, T), segs.view(B, T), mask.view(B, T), pos, mids, mw, nsp

curve, sums, t0 = [], dict(mlm=0.0, nsp=0.0, correct=0.0, n=0.0, steps=0), time.time()
for k in range(steps):
    ids, segs, mask, pos, mids, mw, nsp = batch(k)
    for g in opt.param_groups:
        g['lr'] = lr_at(k)
    x = encoder(ids, segs, mask, training=True)
    logits = mlm_logits(x, pos)
    nll = F.cross_entropy(logits, mids, reduction='none')
    mlm = (nll * mw).sum() / (mw.sum() + 1e-5)
    nsp_loss = F.cross_entropy(nsp_logits(x), nsp)
    loss = mlm + r['nspWeight'] * nsp_loss if r['nspWeight'] > 0 else mlm
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_([v for v in W.values() if v.grad is not None], r['clipNorm'])
    opt.step()
    sums['mlm'] += mlm.item(); sums['nsp'] += nsp_loss.item(); sums['steps'] += 1
    sums['correct'] += float(((logits.argmax(-1) == mids).float() * mw).sum()); sums['n'] += float(mw.sum())
    if (k + 1) % every == 0:
        curve.append({'step': k + 1, 'mlmLoss': sums['mlm'] / sums['steps'], 'mlmAccuracy': sums['correct'] / sums['n'],
                      'nspLoss': sums['nsp'] / sums['steps']})
        sums = dict(mlm=0.0, nsp=0.0, correct=0.0, n=0.0, steps=0)
seconds = time.time() - t0

answered, answers = 0, []
with torch.no_grad():
    for q in meta['questions']:
        ids = torch.tensor([q['ids']])
        x = encoder(ids, torch.zeros_like(ids), torch.ones(ids.shape), training=False)
        top = int(mlm_logits(x, torch.tensor([q['maskAt']])).argmax(-1)[0])
        answers.append(str(top))
        answered += top == q['answerId']
print(json.dumps({'config': config_lines, 'curve': curve, 'answered': answered, 'answers': answers, 'seconds': seconds}))
