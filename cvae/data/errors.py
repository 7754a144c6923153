"""The exception that every data loader raises for invalid input."""


class DataError(ValueError):
    """Invalid or missing input data or data configuration.

    The message names the file and, where they apply, the column, row or key, and
    suggests how to fix the input. Loaders raise it before any training starts.
    """
