"""Resolution of input file paths from a data config."""

from __future__ import annotations

from pathlib import Path

from cvae.data.errors import DataError


def resolve_input_file(path: str | Path, key: str) -> Path:
    """Return the absolute path of an existing input file.

    A relative path is resolved against the current working directory. The training
    entry point sets `hydra.job.chdir=false`, so that is the directory the command was
    started from. Raises DataError naming the config key, the value and the resolved
    path when the file does not exist or is a directory.
    """
    if path is None or str(path).strip() == "":
        raise DataError(f"data.{key} is empty; set it to the path of the input file.")

    given = Path(str(path)).expanduser()
    resolved = given if given.is_absolute() else Path.cwd() / given
    resolved = resolved.resolve()
    relative_note = (
        ""
        if given.is_absolute()
        else f" Relative paths are resolved against the current working directory {Path.cwd()}."
    )

    if not resolved.exists():
        raise DataError(
            f"data.{key}: file not found: {str(path)!r} (resolved to {resolved})."
            f"{relative_note} Pass an absolute path or start the command from the directory "
            "the path is relative to."
        )
    if resolved.is_dir():
        raise DataError(
            f"data.{key}: {resolved} is a directory; set data.{key} to a file inside it."
        )
    return resolved
