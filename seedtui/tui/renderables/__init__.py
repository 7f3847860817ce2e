"""Rich renderables that draw the panes: pure functions of their inputs, tested as strings."""
