"""seedtui: run, watch and analyse seed sweeps of transformer fine-tuning."""

__version__ = "0.1.0"
