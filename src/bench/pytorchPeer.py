"""The bench's PyTorch peer (src/bench/benchPeers.ts): trains the exported train.py's Cnn one SGD
step per request, so the bench can interleave its steps with the lab's.

argv: TRAIN_PY BATCH SIZE LR MOMENTUM. stdin: one line per step, the thread count to use.
stdout: a JSON line when ready (torch version, default threads), then one per step (wall and
process CPU milliseconds of that step, measured here so the pipe is not counted).
"""
import importlib.util
import json
import sys
import time

import torch
import torch.nn.functional as F


def main():
    path, batch, size, lr, momentum = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    spec = importlib.util.spec_from_file_location("rg_lab_train", path)
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    torch.manual_seed(1)
    net = train.Cnn(3, 10)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    x = torch.randn(batch, 3, size, size)
    y = torch.arange(batch) % 10
    default_threads = torch.get_num_threads()
    print(json.dumps({"torch": torch.__version__, "python": sys.version.split()[0], "defaultThreads": default_threads}), flush=True)
    for line in sys.stdin:
        threads = int(line)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        w0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        value = loss.item()
        wall, cpu = (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000
        print(json.dumps({"wall": wall, "cpu": cpu, "loss": value}), flush=True)


if __name__ == "__main__":
    main()
