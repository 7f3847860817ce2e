"""The sweep engine: configuration, the backends that run trials (local processes, Ray actors:
one interface, ``backend.py``), the supervisor (a state machine over a backend and a clock),
policies and the headless front end.

Nothing here imports torch or Textual; the trainer runs as a subprocess (``python -m
trainers.finetune``) and everything the engine knows it reads back from the sweep directory.
"""
