"""Pure view models for the TUI: what the panes show, computed without a screen.

Sorting and filtering the trials table, binning and ordering the WI x DO heatmap, downsampling
and rasterizing curves, folding a sweep's events: plain functions over trial states and arrays,
unit-tested without an app. Nothing here imports Textual.
"""
