"""Per-student seeds: SHA-256 of the student id (and the course salt), never Python's ``hash()``.

>>> derive_seed("2024001") == derive_seed(" 2024001 ")
True
>>> derive_seed("2024001") != derive_seed("2024002")
True
>>> derive_seed("2024001", salt="spring") != derive_seed("2024001")
True
>>> 0 <= derive_seed("2024001") < 2**31
True
"""
from __future__ import annotations

import hashlib
import os
import re

from crmlab.errors import ConfigError

SALT_ENV = "CRMLAB_COURSE_SALT"


def course_salt(salt: str | None = None) -> str:
    """The salt in force: the argument, else ``$CRMLAB_COURSE_SALT``, else empty."""
    return salt if salt is not None else os.environ.get(SALT_ENV, "")


def normalise_id(student_id) -> str:
    text = str(student_id).strip()
    if not text:
        raise ConfigError("student_id", "must not be empty; use your student number")
    return text


def derive_seed(student_id, salt: str | None = None) -> int:
    """The student's seed: first 31 bits of ``sha256("crmlab|<salt>|<student_id>")``.

    The same student id always gives the same seed (in every process, on every machine); a new
    course salt gives every student new data.
    """
    text = f"crmlab|{course_salt(salt)}|{normalise_id(student_id)}"
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big") >> 1


def safe_name(student_id) -> str:
    """A file-name-safe form of the id (distinct ids stay distinct via a short hash)."""
    text = normalise_id(student_id)
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:60]
    if clean != text:
        clean += "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return clean


__all__ = ["derive_seed", "course_salt", "safe_name", "normalise_id", "SALT_ENV"]
