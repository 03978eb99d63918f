"""One-line errors for the command line: what was wrong, never a traceback."""


class CommandError(Exception):
    """Raised for bad arguments or missing files; `main` prints it and exits with status 2."""
