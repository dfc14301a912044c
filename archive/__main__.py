"""Run the CLI as `python -m archive`."""
from .cli import main

main()
