"""The `.nas` grammar, shipped inside nasdsl as the package `nasdsl.grammar` (setup.py maps
it to this folder) and read with `importlib.resources`."""
