"""Finding appointments that break the no-overlap rule, for repair.

The database refuses new overlaps (unique and exclusion constraints on occupying appointments);
this finds old ones, e.g. made before completed and missed visits counted as holding their time.
Used by `manage.py find_overlaps` (migration 0004 carries its own copy of the check).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduling.models import Appointment


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


def find_overlaps() -> list[Overlap]:
    """Every pair of occupying appointments of one doctor, or one patient, that overlap in time.

    One ordered pass per side over (owner, start), keeping the appointments of the owner that
    have not ended by the current start: each of them overlaps the current one.
    """
    found: list[Overlap] = []
    for side in ("doctor", "patient"):
        rows = (
            Appointment.objects.occupying()
            .order_by(f"{side}_id", "start", "pk")
            .values_list(f"{side}_id", "pk", "start", "end", "status")
        )
        owner, running = None, []
        for owner_id, pk, start, end, status in rows.iterator(chunk_size=5000):
            row = (pk, start, end, status)
            if owner_id != owner:
                owner, running = owner_id, []
            running = [other for other in running if other[2] > start]
            found.extend(Overlap(side, owner_id, other, row) for other in running)
            running.append(row)
    return found
