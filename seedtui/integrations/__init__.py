"""Adapters from other training frameworks to seedtui's logging client (``seedtui.client``).

Each lives in its own module and imports its framework only there: ``seedtui.integrations.transformers``
needs the Hugging Face ``transformers`` package; importing this package needs nothing.
"""
