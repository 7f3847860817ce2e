"""The app's panes, one widget per module; each draws through a renderable in ``renderables``."""
