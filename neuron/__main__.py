"""``python -m neuron``: see :mod:`neuron.cli`."""

if __name__ == "__main__":
    import sys

    from neuron.cli import main

    sys.exit(main())
