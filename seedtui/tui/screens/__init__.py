"""Dialogs: confirmations, the t/f/p policy, help, quit, and the sweep picker."""
