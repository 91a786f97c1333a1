"""Who an application is for: the person's key (one membership per person) and the look-alike key
(same names and birth date under another identity number: a likely duplicate).

Both are SHA-256 digests, so the lookups hold no identity number or name in clear. The person
key is not a secret (a CNIE's space is small enough to enumerate); it only keeps the persons
register free of personal data, the application itself holds the facts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from amo_shared.events import ApplicantFacts

_SPACES = re.compile(r"[\s\-'’]+")


def fold(name: str) -> str:
    """`name` compared as people write it: case, accents, hyphens and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip()


def person_key(facts: ApplicantFacts) -> str:
    """The person an application is for: the CNIE, else the residence permit, else (an orphan
    filed by a guardian) the child's names and birth date."""
    if facts.cnie and facts.cnie.strip():
        basis = "cnie:" + facts.cnie.strip().upper()
    elif facts.residence_permit and facts.residence_permit.strip():
        permit = re.sub(r"\s+", "", facts.residence_permit).upper()
        basis = f"permit:{facts.nationality}:{permit}"
    else:
        basis = "minor:" + _names_and_birth(facts)
    return _digest("person", basis)


def lookalike_key(facts: ApplicantFacts) -> str:
    """Equal for two applications with the same folded names and birth date."""
    return _digest("lookalike", _names_and_birth(facts))


def _names_and_birth(facts: ApplicantFacts) -> str:
    return f"{fold(facts.first_name)}|{fold(facts.last_name)}|{facts.birth_date.isoformat()}"


def _digest(purpose: str, basis: str) -> str:
    return hashlib.sha256(f"amo-registration-v1|{purpose}|{basis}".encode()).hexdigest()
