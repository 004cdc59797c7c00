"""What a PyTorch peer runs on, so that a slow peer is visible in every benchmark's output: torch's
version, its intra/inter-op threads, its parallel backend and BLAS, and the environment variables that
change them. Imported by bench/torch_*.py; `python3 bench/torch_config.py` prints it alone.
"""
import json, os
import torch


def blas_loaded(libs):
    """The BLAS the products run on: the library mapped as libblas.so.3 (what LD_LIBRARY_PATH or Debian's
    update-alternatives chose), else an optimised BLAS mapped directly."""
    blas = [l for l in libs if os.path.basename(l).startswith('libblas.so')]
    for path in blas or libs:
        real = os.path.realpath(path)
        for key, name in (('openblas', 'OpenBLAS'), ('blis', 'BLIS'), ('mkl', 'MKL')):
            if key in real:
                return f'{name} ({real})'
        if blas:
            return f'reference BLAS ({real}): products run many times slower than on OpenBLAS'
    return 'none mapped'


def peer_config():
    show = torch.__config__.show()
    settings = dict(kv.strip().split('=', 1) for kv in show.split('Build settings:', 1)[-1].split(', ') if '=' in kv)
    blas = [f'{k}={settings[k]}' for k in ('BLAS_INFO', 'LAPACK_INFO', 'USE_MKLDNN', 'USE_OPENMP') if k in settings]
    parallel = [l.strip() for l in torch.__config__.parallel_info().splitlines()
                if l.strip() and not l.startswith('-')][:6]
    env = {k: os.environ[k] for k in ('OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'GOMP_SPINCOUNT') if k in os.environ}
    # BLAS_INFO=generic (Debian) means whatever libblas.so.3 points to: reference BLAS, OpenBLAS or BLIS,
    # chosen by update-alternatives; the library actually mapped is what a product runs on.
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open('/proc/self/maps') as f:
        libs = sorted({l.split()[-1] for l in f if any(k in l for k in ('blas', 'blis', 'lapack', 'mkl'))})
    return {
        'torch': torch.__version__,
        'blasLoaded': blas_loaded(libs),
        'threads': torch.get_num_threads(),
        'interopThreads': torch.get_num_interop_threads(),
        'blas': ', '.join(blas) or 'not reported',
        'blasLibraries': [os.path.realpath(l) for l in libs],
        'parallel': '; '.join(parallel),
        'env': env,
    }


if __name__ == '__main__':
    print(json.dumps(peer_config()))
