"""Text that people hand to flowsim (scenario files, counts, team tables).

Always data, never code: size-checked, decoded as UTF-8, then parsed by a safe
reader (YAML safe_load, csv) by the caller.
"""
from __future__ import annotations

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
