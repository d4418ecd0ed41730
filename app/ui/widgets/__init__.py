"""Small widgets the window puts in its status bar and menus."""
