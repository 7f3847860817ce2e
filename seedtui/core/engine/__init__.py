"""The sweep engine: configuration, launcher, supervisor, policies and the headless front end.

Nothing here imports torch or Textual; the trainer runs as a subprocess (``python -m
trainers.finetune``) and everything the engine knows it reads back from the sweep directory.
"""
