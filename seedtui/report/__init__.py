"""``seedtui report``: the paper's figures and tables for any sweep, as one self-contained HTML
file or as PNG files.

The statistics come from ``seedtui.core.stats``; this package only lays them out and draws them.
It imports matplotlib, which is the optional ``report`` extra: import it lazily.
"""
