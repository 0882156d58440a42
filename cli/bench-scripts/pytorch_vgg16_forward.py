#!/usr/bin/env python3
"""PyTorch reference for `convlens bench forward`: VGG16 convolutional base (torchvision's
`vgg16().features`, random weights), 224x224 input, median wall time of one forward pass per
batch size. Not part of the build; run it on the same machine, right after the Java benchmark:

    /usr/bin/python3 cli/bench-scripts/pytorch_vgg16_forward.py --threads 2 --batch 1,8

Needs torch and torchvision (Debian: apt-get install python3-torch python3-torchvision; these go
into /usr/bin/python3, not into a pyenv or venv interpreter). Quantiles interpolate linearly, as
the Java benchmark's do (numpy's default, Commons Math's R-7).
"""
import argparse
import platform
import time

import numpy as np
import torch
import torchvision


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--batch", default="1,8", help="comma-separated batch sizes (default 1,8)")
    p.add_argument("--size", type=int, default=224, help="input height and width (default 224)")
    p.add_argument("--warmup", type=int, default=3, help="untimed passes per batch size (default 3)")
    p.add_argument("--iterations", type=int, default=15, help="timed passes per batch size (default 15)")
    p.add_argument("--channels-last", action="store_true", help="NHWC memory format for model and input")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    model = torchvision.models.vgg16().features.eval()  # random weights: speed does not depend on them
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    print(f"pytorch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} threads, "
          f"mkldnn {torch.backends.mkldnn.is_available()}, python {platform.python_version()}, "
          f"{'channels_last' if a.channels_last else 'NCHW'}")
    print(f"vgg16 features, random weights, input [N, 3, {a.size}, {a.size}]; {a.warmup} warm-up + "
          f"{a.iterations} timed passes per batch")
    print(f"{'batch':>5}  {'median ms':>10}  {'IQR ms':>8}  {'min ms':>8}  {'max ms':>8}  {'img/s':>7}")
    with torch.inference_mode():
        for batch in [int(b) for b in a.batch.split(",")]:
            x = (torch.rand(batch, 3, a.size, a.size) * 256 - 128).contiguous(memory_format=fmt)
            for _ in range(a.warmup):
                model(x)
            ms = []
            for _ in range(a.iterations):
                t0 = time.perf_counter()
                model(x)
                ms.append((time.perf_counter() - t0) * 1000)
            ms = np.array(ms)
            q1, med, q3 = np.percentile(ms, [25, 50, 75])
            print(f"{batch:>5}  {med:>10.1f}  {q3 - q1:>8.1f}  {ms.min():>8.1f}  {ms.max():>8.1f}  "
                  f"{batch * 1000 / med:>7.2f}")


if __name__ == "__main__":
    main()
