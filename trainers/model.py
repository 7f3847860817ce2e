"""The pretrained model with its new classification head, the optimizer and the schedule."""

from __future__ import annotations

import sys
from typing import Any

import torch

from trainers.config import BadInput, TrainerConfig
from trainers.optim import make_authors_scheduler, make_bert_adam

NUM_LABELS = 2
HEAD_INIT_STD = 0.02  # the paper (and BERT) draw new weights from N(0, 0.02^2)


def load_tokenizer_and_model(config: TrainerConfig) -> tuple[Any, torch.nn.Module, list[str]]:
    """Tokenizer, model (float32, on the CPU) and the names of the parameters the checkpoint lacked
    (the new head). Loading errors are BadInput: the model id or path is wrong, or the hub is out of reach."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(config.model)
        model, loading_info = transformers.AutoModelForSequenceClassification.from_pretrained(
            config.model, num_labels=NUM_LABELS, output_loading_info=True, dtype=torch.float32
        )
    except (OSError, ValueError) as error:
        raise BadInput(f"cannot load model {config.model!r}: {error}") from error
    # a checkpoint with a head of another shape (say 3 labels) gets a new one too
    mismatched_keys = loading_info.get("mismatched_keys", ())
    mismatched = {key[0] if isinstance(key, tuple) else key for key in mismatched_keys}
    missing = set(loading_info["missing_keys"]) | mismatched
    new_head = sorted(name for name, _ in model.named_parameters() if name in missing)
    if not new_head:
        print(f"warning: {config.model} already has a classification head; the WI seed changes nothing",
              file=sys.stderr)
    return tokenizer, model, new_head


@torch.no_grad()
def init_new_head(model: torch.nn.Module, new_head: list[str], generator: torch.Generator) -> None:
    """Draw the new head from the WI generator alone: weights N(0, 0.02^2), biases 0, norms' gains 1.

    Names are visited in sorted order and drawn on the CPU, so a WI seed gives the same head on every
    device. No other parameter is touched.
    """
    for name in new_head:
        parameter = model.get_parameter(name)
        if name.endswith("bias"):
            parameter.zero_()
        elif parameter.dim() >= 2:
            drawn = torch.normal(0.0, HEAD_INIT_STD, size=tuple(parameter.shape), generator=generator)
            parameter.copy_(drawn)
        else:  # a 1-D weight in a new head is a LayerNorm gain
            parameter.fill_(1.0)


def decay_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Two parameter groups: decayed by ``weight_decay``, and biases and LayerNorm parameters not
    decayed (as both the paper's code and Hugging Face's group them)."""
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, parameter in model.named_parameters():
        is_norm_or_bias = name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name
        (no_decay if is_norm_or_bias else decay).append(parameter)
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0}]


def make_optimizer(model: torch.nn.Module, config: TrainerConfig,
                   device: torch.device) -> torch.optim.Optimizer:
    """The protocol's optimizer (docs/protocol.md).

    ``default``: AdamW (eps 1e-8, bias-corrected, no decay on biases and LayerNorm), fused (one kernel
    for all parameters) on CPU and CUDA: on the CPU the default is a Python loop over the parameters,
    which costs more than a small model's forward pass. ``dodge2020``: the authors' BertAdam
    (``trainers.optim``), with the same two groups."""
    groups = decay_groups(model, config.weight_decay)
    if config.protocol == "dodge2020":
        return make_bert_adam(groups, config)
    return torch.optim.AdamW(groups, lr=config.lr, eps=1e-8, fused=device.type in ("cpu", "cuda"))


def make_scheduler(optimizer: torch.optim.Optimizer, config: TrainerConfig, total_steps: int, *,
                   train_size: int) -> Any:
    """The protocol's learning-rate schedule. ``default``: linear warm-up over ``warmup_ratio`` of the
    steps, then linear decay to 0 (``transformers``' ``get_linear_schedule_with_warmup``).
    ``dodge2020``: the authors' ``warmup_linear`` applied twice over their ``t_total``
    (``trainers.optim.AuthorsSchedule``)."""
    if config.protocol == "dodge2020":
        return make_authors_scheduler(optimizer, config, train_size)
    from transformers import get_linear_schedule_with_warmup

    warmup_steps = round(config.warmup_ratio * total_steps)
    return get_linear_schedule_with_warmup(optimizer, warmup_steps, total_steps)
