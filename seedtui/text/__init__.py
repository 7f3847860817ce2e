"""Rich renderables shared by the command line and the TUI (formatting only: numbers come from
``seedtui.core.stats``). Imports no Textual."""
