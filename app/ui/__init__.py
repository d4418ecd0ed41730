"""The only package that imports Qt widgets: it shows and asks, the services decide."""
