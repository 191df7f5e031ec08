"""The PII entity types: the one list that the config defaults and the masker share.

A low home (no imports from the package) so that :mod:`recruiter.config` can take its defaults
from here without importing upward from :mod:`recruiter.prepare`. The masker itself is
:mod:`recruiter.pii`, which re-exports these names.
"""

from __future__ import annotations

#: Masked by default (``NAME`` is the record's own name, ``PERSON`` anybody else).
DEFAULT_ENTITIES: tuple[str, ...] = (
    "NAME",
    "PERSON",
    "EMAIL",
    "PHONE",
    "URL",
    "ADDRESS",
    "DATE_OF_BIRTH",
    "AGE",
    "GENDER",
    "MARITAL_STATUS",
    "NATIONALITY",
    "RELIGION",
    "PHOTO",
)
#: Opt-in NER types (not masked by default: location filters need cities).
OPTIONAL_ENTITIES: tuple[str, ...] = ("LOCATION", "ORGANIZATION")
SUPPORTED_ENTITIES: tuple[str, ...] = DEFAULT_ENTITIES + OPTIONAL_ENTITIES
#: Presidio / config spellings accepted in ``entities``.
ENTITY_ALIASES: dict[str, str] = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "STREET_ADDRESS": "ADDRESS",
    "DOMAIN_NAME": "URL",
    "DOB": "DATE_OF_BIRTH",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
    "PER": "PERSON",
}
#: The typed placeholder that replaces each entity type in masked text.
PLACEHOLDERS: dict[str, str] = {e: f"[{e}]" for e in SUPPORTED_ENTITIES}
