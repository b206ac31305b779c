"""Text that people hand to flowsim (scenario files, counts, team tables).

Always data, never code: only ordinary files are opened (never a pipe or a
device, which could block or never end), at most a fixed number of bytes is
read whatever the file system says its size is, the bytes are decoded as
UTF-8, then parsed by a safe reader (YAML safe_load, csv) by the caller.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from flowsim.errors import InputError

MAX_UPLOAD_BYTES = 1_000_000


def user_text(data: str | bytes, origin: str, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """``data`` as text; InputError (naming ``origin``) if it is too large or not UTF-8."""
    if len(data) > max_bytes:
        raise InputError.single(origin, "", f"is larger than {max_bytes:,} bytes")
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError.single(origin, "", "is not UTF-8 text") from None
    return data


def read_user_file(path: str | Path, origin: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The text of an ordinary file of at most ``max_bytes``; InputError naming it otherwise."""
    origin = str(path) if origin is None else origin
    try:
        # Non-blocking, so that opening a pipe nobody writes to returns at once (and is then refused).
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError.single(origin, "", "file not found") from None
    except IsADirectoryError:
        raise InputError.single(origin, "", "is a folder, not a file") from None
    except OSError as err:
        if err.errno == errno.ENAMETOOLONG:
            raise InputError.single(origin, "", "the file name is too long") from None
        raise InputError.single(origin, "", f"cannot be read ({err.strerror})") from None
    with os.fdopen(handle, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise InputError.single(origin, "", "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise InputError.single(origin, "", "is not an ordinary file (a pipe, device or socket)")
        try:
            data = file.read(max_bytes + 1)
        except OSError as err:
            raise InputError.single(origin, "", f"cannot be read ({err.strerror})") from None
    if len(data) > max_bytes:
        raise InputError.single(origin, "", f"is larger than {max_bytes:,} bytes")
    return user_text(data, origin, max_bytes)
