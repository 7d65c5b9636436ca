#!/usr/bin/env python3
"""PyTorch reference runs for RG Lab's engine tests (src/engine/optim.test.ts, schedules.test.ts).

Reads one case, or a JSON list of cases, from stdin and prints the results as one JSON value
(a list when the input was a list). Real torch.optim optimizers and lr_schedulers do the work,
and the RG weight reaches the gradient through autograd, `(loss * r).backward()`, so weight
decay (inside the optimizer) is never scaled by r, as in the paper's code.

Optimizer case:
  {"kind": "optim",
   "dtype": "float64" | "float32",                  (default float64)
   "params": [nested list, ...],                    initial parameters
   "loss": {"type": "mlp", "x": [[...]], "y": [[...]]}
        params = [W1 (in x hidden), b1 (hidden), W2 (hidden x out), b2 (out)],
        loss = mean((tanh(x @ W1 + b1) @ W2 + b2 - y) ** 2)
     | {"type": "grads", "grads": [[nested per param] per step]}
        loss at step t = sum_i sum(grads[t][i] * params[i]): its gradient is grads[t] exactly,
   "rg": [r per step],                              the number of steps is len(rg)
   "lr": [lr per step], "momentum": [momentum per step] (SGD only; optional),
        written into optimizer.param_groups before each step, as a live slider would,
   "optimizer": {"type": "sgd", "lr", "momentum", "dampening", "nesterov", "weightDecay"}
              | {"type": "adam" | "adamw", "lr", "beta1", "beta2", "epsilon", "weightDecay"}}
  -> {"params": [[nested per param] after each step], "losses": [unweighted loss per step]}

Schedule case (the optimizer is stepped once per iteration, then the scheduler):
  {"kind": "schedule", "lr": base lr, "steps": n,
   "schedulers": [{"type": "StepLR" | "MultiStepLR" | "PolynomialLR" | "CosineAnnealingLR"
                   | "CyclicLR" | "LinearLR", ...keyword arguments}],
   "chain": false}      several schedulers are combined with ChainedScheduler when chain is true
  -> {"lrs": [the lr used at step t for t in 0..n-1]}

Exit codes: 0 on success, 3 when torch cannot be imported (the caller tries another Python),
2 on a malformed case.
"""

import json
import sys

try:
    import torch
except ImportError as exc:  # the tests try the next interpreter on this code
    print(f"torch_reference.py: cannot import torch with {sys.executable}: {exc}", file=sys.stderr)
    sys.exit(3)


def make_optimizer(cfg, params):
    kind = cfg["type"]
    wd = cfg.get("weightDecay", 0.0)
    if kind == "sgd":
        return torch.optim.SGD(
            params,
            lr=cfg["lr"],
            momentum=cfg.get("momentum", 0.0),
            dampening=cfg.get("dampening", 0.0),
            nesterov=cfg.get("nesterov", False),
            weight_decay=wd,
        )
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    return cls(
        params,
        lr=cfg["lr"],
        betas=(cfg.get("beta1", 0.9), cfg.get("beta2", 0.999)),
        eps=cfg.get("epsilon", 1e-8),
        weight_decay=wd,
    )


def make_loss(spec, params, dtype):
    kind = spec["type"]
    if kind == "mlp":
        x = torch.tensor(spec["x"], dtype=dtype)
        y = torch.tensor(spec["y"], dtype=dtype)
        w1, b1, w2, b2 = params

        def mlp(_t):
            return ((torch.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2).mean()

        return mlp
    if kind == "grads":
        grads = [[torch.tensor(g, dtype=dtype) for g in step] for step in spec["grads"]]

        def linear(t):
            return sum((g * p).sum() for g, p in zip(grads[t], params))

        return linear
    raise ValueError(f"unknown loss type {kind!r}")


def run_optim(case):
    dtype = getattr(torch, case.get("dtype", "float64"))
    params = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in case["params"]]
    opt = make_optimizer(case["optimizer"], params)
    loss_at = make_loss(case["loss"], params, dtype)
    lrs = case.get("lr")
    momenta = case.get("momentum")
    out_params, losses = [], []
    for t, r in enumerate(case["rg"]):
        for group in opt.param_groups:
            if lrs is not None:
                group["lr"] = lrs[t]
            if momenta is not None:
                group["momentum"] = momenta[t]
        opt.zero_grad(set_to_none=True)
        loss = loss_at(t)
        (loss * r).backward()
        opt.step()
        losses.append(loss.item())
        out_params.append([p.detach().tolist() for p in params])
    return {"params": out_params, "losses": losses}


def make_scheduler(spec, opt):
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    return getattr(torch.optim.lr_scheduler, spec["type"])(opt, **kwargs)


def run_schedule(case):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=case["lr"])
    scheds = [make_scheduler(s, opt) for s in case["schedulers"]]
    if case.get("chain", False):
        scheds = [torch.optim.lr_scheduler.ChainedScheduler(scheds)]
    lrs = []
    for _ in range(case["steps"]):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        for s in scheds:
            s.step()
    return {"lrs": lrs}


def run_case(case):
    kind = case.get("kind")
    if kind == "optim":
        return run_optim(case)
    if kind == "schedule":
        return run_schedule(case)
    raise ValueError(f"unknown case kind {kind!r}")


def main():
    try:
        data = json.load(sys.stdin)
        result = [run_case(c) for c in data] if isinstance(data, list) else run_case(data)
    except (ValueError, KeyError, TypeError) as exc:
        print(f"torch_reference.py: bad case: {exc!r}", file=sys.stderr)
        sys.exit(2)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
