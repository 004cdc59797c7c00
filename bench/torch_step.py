"""Shared by the step peers bench/torch_gpt.py and bench/torch_elmo.py: their command line (threads,
steps and the model's sizes), the median time of a function after a warm-up, and the JSON line they
print (with bench/torch_config.py's configuration)."""
import argparse, json, resource, statistics, time
import torch
from torch_config import peer_config


def peer_args(**sizes):
    """--threads, --steps and one integer option per size (its default), parsed; sets torch's threads."""
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--steps', type=int, default=10)
    for name, default in sizes.items():
        p.add_argument(f'--{name}', type=type(default), default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    return a


def median_ms(fn, runs, warmup=3):
    """Median milliseconds of `runs` calls of fn() after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); fn(); times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def report(model, threads, **figures):
    """The peer's one JSON line: its name, figures, peak RSS, parameter count and configuration."""
    print(json.dumps({'peer': f'pytorch {torch.__version__}', 'threads': threads, **figures,
                      'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      'parameters': sum(x.numel() for x in model.parameters()), 'config': peer_config()}))
