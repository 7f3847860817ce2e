"""The optimizer, learning-rate schedule and gradient clipping of the ``dodge2020`` protocol.

Dodge et al. (2020) fine-tuned with Jason Phang's ``bert_on_stilts`` fork of pytorch-pretrained-BERT
(``glue/runners.py``, ``shared/model_setup.py``), whose optimizer is ``BertAdam``. Written here from its
semantics (docs/protocol.md lists every difference from the default protocol):

- **BertAdam**: Adam without bias correction, ``eps`` 1e-6 added to ``sqrt(v)``; each parameter tensor's
  gradient clipped to norm ``max_grad_norm`` on its own, inside the step, before the moments see it;
  decoupled weight decay added to the update (``update += wd * p``) before it is scaled by the
  learning rate.
- **The schedule**: the authors' runner set each group's learning rate to ``lr * warmup_linear(x)``
  before every step, and BertAdam, built with the same ``warmup`` and ``t_total``, multiplied it by
  ``warmup_linear(x)`` again, so the rate a step used is ``lr * warmup_linear(x) ** 2`` with
  ``x = steps done / t_total`` and ``warmup_linear(x) = x / warmup`` below ``warmup``, else ``1 - x``.
  ``t_total`` is theirs too: ``int(train_size / batch_size * epochs)``, a little below the steps trained
  when the last batch of an epoch is partial. The first step (``x = 0``) has learning rate 0.

The default protocol keeps ``torch.optim.AdamW`` and ``transformers``' linear schedule
(``trainers.model``); :func:`clip_gradients` is the one place the training loop clips, for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch

from trainers.config import TrainerConfig

BERT_ADAM_EPS = 1e-6
"""BertAdam's default ``e``, which the authors' ``create_optimizer`` kept."""
CLIP_EPS = 1e-6
"""Added to a gradient's norm before dividing, as ``torch.nn.utils.clip_grad_norm_`` (and BertAdam) do."""


class BertAdam(torch.optim.Optimizer):
    """Adam as pytorch-pretrained-BERT's ``BertAdam`` computed it, without its built-in schedule (the
    learning rate of each group is set by the scheduler, :class:`AuthorsSchedule`).

    For each parameter ``p`` with gradient ``g``, in order: ``g *= min(1, max_grad_norm / (|g| + 1e-6))``
    (this tensor's norm alone); ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
    ``update = m / (sqrt(v) + eps) + weight_decay * p``; ``p -= lr * update``. No bias correction."""

    def __init__(self, params: Iterable[Any], *, lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = BERT_ADAM_EPS, weight_decay: float = 0.0, max_grad_norm: float = 1.0) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "max_grad_norm": max_grad_norm}
        super().__init__(params, defaults)
        self._scratch: dict[tuple[torch.device, torch.dtype], torch.Tensor] = {}
        """Reused memory for ``sqrt(v) + eps`` (not state: nothing to save). Allocating it afresh each
        step costs more on the CPU than the arithmetic."""

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            exp_avgs, exp_avg_sqs = [], []
            for p in params:
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
            beta1, beta2 = group["betas"]
            lr, weight_decay = group["lr"], group["weight_decay"]
            if group["max_grad_norm"] > 0:
                clip_each_tensor(grads, group["max_grad_norm"])
            # the foreach kernels compute, tensor by tensor, the per-parameter formulas above
            torch._foreach_mul_(exp_avgs, beta1)
            torch._foreach_add_(exp_avgs, grads, alpha=1 - beta1)
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1 - beta2)
            denominators = self._views(params)
            torch._foreach_copy_(denominators, exp_avg_sqs)
            torch._foreach_sqrt_(denominators)
            torch._foreach_add_(denominators, group["eps"])
            if weight_decay > 0:  # p - lr (m / d + wd p) = p (1 - lr wd) - lr m / d
                torch._foreach_mul_(params, 1 - lr * weight_decay)
            torch._foreach_addcdiv_(params, exp_avgs, denominators, value=-lr)
        return loss

    def _views(self, params: list[torch.Tensor]) -> list[torch.Tensor]:
        """One scratch tensor shaped like each of ``params`` (consecutive slices of a reused buffer)."""
        needed = sum(p.numel() for p in params)
        key = (params[0].device, params[0].dtype)
        buffer = self._scratch.get(key)
        if buffer is None or buffer.numel() < needed:
            buffer = self._scratch[key] = torch.empty(needed, device=key[0], dtype=key[1])
        views, offset = [], 0
        for p in params:
            views.append(buffer[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
        return views


def clip_each_tensor(grads: list[torch.Tensor], max_norm: float) -> None:
    """Scale each gradient whose own 2-norm exceeds ``max_norm`` down to it (``max_norm / (norm + 1e-6)``),
    in place; the others are multiplied by exactly 1. No value leaves the device."""
    norms = torch._foreach_norm(grads)
    torch._foreach_add_(norms, CLIP_EPS)
    coefficients = torch._foreach_reciprocal(norms)
    torch._foreach_mul_(coefficients, max_norm)
    torch._foreach_clamp_max_(coefficients, 1.0)
    torch._foreach_mul_(grads, coefficients)


def clip_gradients(model: torch.nn.Module, config: TrainerConfig) -> None:
    """The clipping a training step does between ``backward`` and ``optimizer.step``: under the default
    protocol all gradients together to norm ``max_grad_norm`` (0: none); under ``dodge2020`` nothing
    here, because BertAdam clips each tensor inside its step."""
    if config.protocol == "dodge2020" or config.max_grad_norm <= 0:
        return
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)


def warmup_linear(progress: float, warmup: float) -> float:
    """pytorch-pretrained-BERT's ``warmup_linear`` as the authors' code had it: ``progress / warmup``
    during warm-up, then ``1 - progress`` (not rescaled to reach 0 at the end, and below 0 past it)."""
    return progress / warmup if progress < warmup else 1.0 - progress


def authors_t_total(train_size: int, batch_size: int, epochs: int) -> int:
    """The authors' ``t_total``: ``int(train_size / batch_size * epochs)`` (at least 1)."""
    return max(1, int(train_size / batch_size * epochs))


@dataclass
class AuthorsSchedule:
    """The learning-rate factor of step ``steps_done`` (0-based) under ``dodge2020``: ``warmup_linear``
    applied twice, once by the authors' runner and once inside BertAdam. A ``LambdaLR`` lambda whose
    fields the scheduler's state (and so the checkpoint) keeps."""

    t_total: int
    warmup: float

    def __call__(self, steps_done: int) -> float:
        factor = warmup_linear(steps_done / self.t_total, self.warmup)
        return factor * factor


def make_bert_adam(groups: list[dict[str, Any]], config: TrainerConfig) -> BertAdam:
    return BertAdam(groups, lr=config.lr, max_grad_norm=config.max_grad_norm)


def make_authors_scheduler(optimizer: torch.optim.Optimizer, config: TrainerConfig,
                           train_size: int) -> torch.optim.lr_scheduler.LambdaLR:
    schedule = AuthorsSchedule(authors_t_total(train_size, config.batch_size, config.epochs),
                               config.warmup_ratio)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
