"""Dialog Insight use cases, one function each (form data → client → mirror → audit), one
module per concern: `contacts`, `segments`, `imports` (files of contacts), `mailings` (with
messages). Callers use them as `services.<entity>_<action>()`, re-exported here: the entity
in each name already says which concern it belongs to."""

from contacts.services.contacts import (
    contact_delete,
    contact_detail,
    contact_get,
    contact_history,
    contact_optin_set,
    contact_save,
    contact_search,
    contact_search_count,
    contact_unsubscribe,
    project_definition,
)
from contacts.services.imports import (
    ImportFileError,
    import_create,
    import_report,
    import_resume,
    import_run,
    parse_contacts_csv,
)
from contacts.services.mailings import (
    mailing_audience_count,
    mailing_list_refresh,
    mailing_look_up,
    mailing_send,
    message_create,
    message_look_up,
    message_send_look_up,
    message_send_one,
)
from contacts.services.segments import (
    segment_contact_list,
    segment_count,
    segment_list_refresh,
    segment_look_up,
    segment_save,
)

__all__ = [
    "ImportFileError",
    "contact_delete",
    "contact_detail",
    "contact_get",
    "contact_history",
    "contact_optin_set",
    "contact_save",
    "contact_search",
    "contact_search_count",
    "contact_unsubscribe",
    "import_create",
    "import_report",
    "import_resume",
    "import_run",
    "mailing_audience_count",
    "mailing_list_refresh",
    "mailing_look_up",
    "mailing_send",
    "message_create",
    "message_look_up",
    "message_send_look_up",
    "message_send_one",
    "parse_contacts_csv",
    "project_definition",
    "segment_contact_list",
    "segment_count",
    "segment_list_refresh",
    "segment_look_up",
    "segment_save",
]
