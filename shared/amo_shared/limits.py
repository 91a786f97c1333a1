"""Size limits every entry point enforces alike, the gateway and each service's own API: a field,
a list and a request body have bounds, so no record can grow past what Kafka and the outbox take.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

NAME_MAX = 100
TEXT_MAX = 200
CNIE_MAX = 16
EMAIL_MAX = 254
PHONE_MAX = 32
DEPENDANTS_MAX = 20
# What one application may declare at the door (gateway and registration): a family's size, not
# the contract's bound above, which events and stored files keep.
DEPENDANTS_PER_APPLICATION = 12
# A JSON request to an internal API; uploads have their own streamed limit.
BODY_MAX_BYTES = 64 * 1024

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)]
