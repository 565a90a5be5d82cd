"""Finding appointments that break the no-overlap rule, for repair.

The database refuses new overlaps (unique and exclusion constraints on occupying appointments);
this finds old ones, e.g. made before completed and missed visits counted as holding their time.
Used by `manage.py find_overlaps` and by the migration that rebuilt the constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

OCCUPYING = ("booked", "checked_in", "completed", "no_show")


@dataclass(frozen=True)
class Overlap:
    side: str  # "doctor" or "patient"
    owner_id: int
    first: tuple[int, datetime, datetime, str]  # pk, start, end, status
    second: tuple[int, datetime, datetime, str]

    def describe(self) -> str:
        def one(row) -> str:
            pk, start, end, status = row
            return f"#{pk} {start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC ({status})"

        return f"{self.side} {self.owner_id}: {one(self.first)} overlaps {one(self.second)}"


def find_overlaps(appointment_model) -> list[Overlap]:
    """Every pair of occupying appointments of one doctor, or one patient, that overlap in time.

    One ordered pass per side over (owner, start): an appointment overlaps an earlier one of the
    same owner exactly when it starts before the latest end seen so far. Takes the model class so
    that a migration can pass its historical model.
    """
    found: list[Overlap] = []
    for side in ("doctor", "patient"):
        rows = (
            appointment_model.objects.filter(status__in=OCCUPYING)
            .order_by(f"{side}_id", "start", "pk")
            .values_list(f"{side}_id", "pk", "start", "end", "status")
        )
        owner, latest = None, None
        for owner_id, pk, start, end, status in rows.iterator(chunk_size=5000):
            row = (pk, start, end, status)
            if owner_id != owner:
                owner, latest = owner_id, row
                continue
            if start < latest[2]:
                found.append(Overlap(side, owner_id, latest, row))
            if end > latest[2]:
                latest = row
    return found
