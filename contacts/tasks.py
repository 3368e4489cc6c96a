"""Background work for Dialog Insight: contact imports of uploaded CRM files."""

from __future__ import annotations

from django_tasks import task

from contacts import services
from dashboard.context import acting


@task()
def import_run(import_id: int) -> dict[str, int]:
    """Merge the pending rows of a contact import in batches (see services.import_run)."""
    with acting("worker"):
        contact_import = services.import_run(import_id=import_id)
    return {"processed": contact_import.processed, "rejected": contact_import.rejected}
