"""Dialogs opened from the tabs and menus."""
