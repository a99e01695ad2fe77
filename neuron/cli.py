"""The command line: ``python -m neuron COMMAND`` (also ``neuron-forward COMMAND``).

Each command lives in a module of :mod:`neuron.commands`, imported only
when that command runs.  Run ``python -m neuron --help`` for the list.
"""

import os
import sys

# (command, module under neuron.commands), in the order --help lists them.
COMMANDS = [
    ("coffee", "coffee"),
    ("explain", "explain"),
    ("exam", "exam"),
    ("predict", "predict"),
    ("convert", "convert"),
    ("export", "export"),
]


def main(argv=None):
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    import argparse
    import importlib

    from . import __version__

    program = os.path.basename(sys.argv[0] or "")
    parser = argparse.ArgumentParser(
        # The console script is neuron-forward; `python -m neuron` runs __main__.py.
        prog="python -m neuron" if program in ("__main__.py", "", "-c") else program,
        description="Forward propagation by hand, in pure Python.",
    )
    parser.add_argument("--version", action="version", version="neuron-forward %s" % __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for command, module_name in COMMANDS:
        module = importlib.import_module("neuron.commands." + module_name)
        modules[command] = module
        module.add_arguments(commands.add_parser(command, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from .errors import NeuronError

    try:
        return modules[args.command].run(args)
    except NeuronError as error:
        sys.stderr.write("error: %s\n" % _for_the_command_line(str(error), args))
        return 1
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, and point stdout
        # at nothing so the interpreter's final flush does not complain.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except OSError as error:
        sys.stderr.write("error: %s\n" % error)
        return 1


def _for_the_command_line(message, args):
    """The library's advice in command-line words: ``--allow-nonfinite``, not ``allow_nonfinite=True``."""
    if "allow_nonfinite" not in message:
        return message
    if hasattr(args, "allow_nonfinite"):
        if "allow_nonfinite=True" in message:
            return message.replace("allow_nonfinite=True", "--allow-nonfinite")
        return message + " (on the command line: --allow-nonfinite)"
    import re

    # A command without the flag: drop the advice it cannot follow.
    message = re.sub(r"\s*\([^()]*allow_nonfinite[^()]*\)", "", message)
    message = re.sub(r"[;,]?\s*pass allow_nonfinite=True[^;]*", "", message)
    return message + "; the %s command takes finite numbers only" % args.command
