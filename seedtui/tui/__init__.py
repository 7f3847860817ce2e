"""The Textual application: watch and steer a live sweep, or replay a recorded one.

Everything here is a thin front end over ``seedtui.core`` (trial states, statistics, replay
timing, view models); see ``app.create_app`` for the entry point.
"""
