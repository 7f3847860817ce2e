"""The training subprocess: ``python -m trainers.finetune``."""
