"""A control command in words, as the user who sent it reads it back: ``kill wi2-do1``,
``t/f/p t=8 f=9/30 p=2``, ``pause the queue``. Used for what a front end says it sent and for the
supervisor's answer to it, so neither prints a raw argument dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seedtui.policy.tfp_rule import format_fraction

_PLAIN = {
    "pause": "pause the queue",
    "resume": "resume the queue",
    "stop_sweep": "stop the sweep",
}


def describe_command(action: str, args: Mapping[str, Any]) -> str:
    """``action`` with its ``args`` as a short phrase (unknown arguments as ``name=value``)."""
    if action == "kill":
        return f"kill {args.get('trial', '?')}"
    if action == "apply_tfp":
        f = args.get("f")
        f_text = format_fraction(float(f)) if isinstance(f, (int, float)) else "?"
        return f"t/f/p t={args.get('t', '?')} f={f_text} p={args.get('p', '?')}"
    words = _PLAIN.get(action, action.replace("_", " "))
    extra = " ".join(f"{name}={value}" for name, value in args.items() if name != "by")
    return f"{words} {extra}".rstrip()
