"""The exception that report building raises for invalid input."""


class ReportError(Exception):
    """Invalid report input: a missing path, storage, study, metric or parameter.

    The message names the value that failed and what to pass instead, so the command
    line prints it as is.
    """
