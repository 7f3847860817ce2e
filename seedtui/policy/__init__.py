"""The t/f/p rule of Dodge et al. (2020) and the evaluation schedule it is defined on.

One implementation shared by the trainer (where a trial suspends), the engine (cohort, ranking and
decisions), replay rehearsal, the planner's grid of settings and the TUI's apply dialog. Pure
Python (numpy only through ``seedtui.core.direction``): no torch, no Textual, so the trainer and
the light viewer both import it.
"""
