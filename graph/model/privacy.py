"""How identifier values are shown: in clear, or masked for roles that may not see them.

Identifier values are personal data. Every value an answer shows (a profile, a
resolve's evidence, an exploration's nodes) goes through one function of type
:data:`ShowValue`, ``(type, stored value) -> shown value``: :func:`in_clear` shows it as
stored, :func:`mask_identifier` hides most of it. Which one a caller gets follows from
its role (:func:`graph.access.keys.show_for`); the code that builds an answer only ever
calls the function it is given. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "ShowValue",
    "in_clear",
    "mask_identifier",
]

#: Shows one identifier value: ``(type, stored value) -> shown value``.
ShowValue = Callable[[str, str], str]

_SHORT = 8


def in_clear(identifier_type: str, value: str) -> str:
    """Show a value as stored: for roles allowed to see identifier values in clear.

    The default ``show`` of the functions that build answers, so that masking is a
    different function passed in (:func:`mask_identifier`), not a change to their code.
    """
    return value


def mask_identifier(identifier_type: str, value: str) -> str:
    """An identifier value with most of it hidden, for roles that may not see it.

    - e-mail: the first character of the local part, ``***``, and the domain
      (``j***@example.fr``); a local part of 1 or 2 characters is hidden entirely;
    - phone (E.164): ``+``, the first 2 and last 2 digits (``+33*******78``);
    - anything else: the first 2 and last 2 characters with ``*`` between;
    - values shorter than 8 characters (e-mail: local parts shorter than 3): all ``*``.

    >>> mask_identifier("email", "jean.dupont@example.fr")
    'j***@example.fr'
    >>> mask_identifier("phone", "+33612345678")
    '+33*******78'
    """
    if identifier_type == "email" and value.count("@") == 1:
        local, domain = value.split("@")
        shown = local[0] + "***" if len(local) >= 3 else "***"
        return f"{shown}@{domain}"
    if len(value) < _SHORT:
        return "*" * len(value)
    if identifier_type == "phone" and value.startswith("+"):
        digits = value[1:]
        return "+" + digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return value[:2] + "*" * (len(value) - 4) + value[-2:]
