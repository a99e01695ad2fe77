"""One module per command of ``python -m neuron``.

Each module has ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args)`` returning the exit code; :mod:`neuron.cli` lists them.
"""
