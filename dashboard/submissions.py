"""One submitted form, one provider write, never by accident.

- Each create/send form carries a one-time token, claimed before the provider is called, so a
  double click or a resent form cannot do it twice.
- Sending at once goes through a confirmation step that says what will happen; what the user
  typed rides along in hidden fields (`carried`), and "Change something" goes back to it.
- When the provider may have done it although Switchboard saw a failure (no answer in time, an
  unreadable success), the form comes back with everything typed and two honest choices:
  check the provider, or do it anyway with a fresh token (`OutcomeUnknown`).
- Files chosen in a form that is not done yet (an error in another field, the confirmation
  step, a provider's refusal) are kept with its token (`uploads_keep`): a browser cannot put
  a file back into a file field, so the page lists them as kept instead of asking for them
  again, and they are sent when the form is done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.models import FormSubmission, KeptUpload
from dashboard.providers import ProviderError


def new_token() -> str:
    return uuid.uuid4().hex


class AlreadySubmitted(Exception):
    """This form was already submitted (double click, or the browser resent it);
    `object_id` is what the first submission made, when known."""

    def __init__(self, object_id: int | None) -> None:
        super().__init__(object_id)
        self.object_id = object_id


def submission_claim(token: str) -> FormSubmission | None:
    if not token:
        return None  # an older page without a token is not guarded
    try:
        return FormSubmission.objects.create(token=token)
    except IntegrityError:
        done = FormSubmission.objects.filter(token=token).first()
        raise AlreadySubmitted(done.object_id if done else None) from None


def submission_failed(claim: FormSubmission | None, error: ProviderError) -> None:
    # Certainly not done: the same form may be tried again. Unknown: it stays claimed.
    if claim is not None and not error.outcome_unknown:
        claim.delete()


def submission_done(claim: FormSubmission | None, object_id: int | None) -> None:
    if claim is not None:
        FormSubmission.objects.filter(pk=claim.pk).update(object_id=object_id)


def submitted_at(token: str) -> datetime | None:
    """When the form with this token was first submitted (what a check looks after)."""
    claim = FormSubmission.objects.filter(token=token).only("created_at").first() if token else None
    return claim.created_at if claim else None


# --- the confirmation step ------------------------------------------------------------------
# The buttons and markers of the steps, never carried from one step to the next.
STEP_FIELDS = {"csrfmiddlewaretoken", "confirmed", "back", "_action", "_outcome", "retry_token"}


@dataclass
class Confirmation:
    """A confirmation step: the hidden fields it carries and the button that does it."""

    carried: list[tuple[str, str]]
    label: str  # "Send now to 3 contacts"


def going_back(data: Any) -> bool:
    """ "Change something" on a confirmation step."""
    return "back" in data


def confirmed(data: Any) -> bool:
    return data.get("confirmed") == "on"


def carried(data: Any, *, skip: tuple[str, ...] = (), **replace: str) -> list[tuple[str, str]]:
    """What the user typed, as (name, value) pairs for a confirmation step's hidden fields,
    with `replace` values instead of the typed ones (files cannot be carried: browsers do
    not let a page fill a file field)."""
    pairs = [
        (name, value)
        for name, values in data.lists()
        if name not in STEP_FIELDS and name not in skip and name not in replace
        for value in values
    ]
    return pairs + list(replace.items())


# --- when the outcome is unknown -------------------------------------------------------------
CHECK, RETRY = "check", "retry"  # values of the two buttons named `_outcome`


def resubmitted(data: Any) -> Any:
    """The POST as the form reads it. "Create it anyway" carries a fresh token beside the
    claimed one, which it replaces: that one explicit choice creates at most once. The files
    kept for the form follow it to its new token."""
    if data.get("_outcome") == RETRY and data.get("retry_token"):
        KeptUpload.objects.filter(token=data.get("token", "")).update(token=data["retry_token"])
        data = data.copy()
        data["token"] = data["retry_token"]
    return data


def checking(data: Any) -> bool:
    """The "Check <provider>" button: look, change nothing."""
    return data.get("_outcome") == CHECK


@dataclass
class Checked:
    """What a check found, in words, with a link to it when it exists."""

    sentence: str
    url: str = ""
    link: str = ""


@dataclass
class OutcomeUnknown:
    """A create or send the provider may have done although Switchboard saw a failure: what
    the form says, what a check found, and the fresh token "do it anyway" would claim."""

    provider: str  # "EngageLab"
    noun: str  # "campaign" (marked for translation by the app: gettext_lazy("campaign"))
    done: str  # "created" | "sent"
    anyway: str = ""  # the button: "Create it anyway"
    reason: str = ""  # what went wrong
    checked: Checked | None = None
    retry_token: str = field(default_factory=new_token)

    def __post_init__(self) -> None:
        self.anyway = self.anyway or (_("Send it anyway") if self.sent else _("Create it anyway"))

    @property
    def sent(self) -> bool:
        return self.done == "sent"

    @property
    def may_have(self) -> str:
        """The warning, in one sentence: "EngageLab may have created it anyway." """
        if self.sent:
            return _("%(provider)s may have sent it anyway.") % {"provider": self.provider}
        return _("%(provider)s may have created it anyway.") % {"provider": self.provider}

    @property
    def look_first(self) -> str:
        if self.sent:
            text = _("Check %(provider)s before trying again, so that it is not sent twice.")
        else:
            text = _("Check %(provider)s before trying again, so that it is not created twice.")
        return text % {"provider": self.provider}

    @property
    def check_label(self) -> str:
        """The button that looks at the provider: "Check EngageLab"."""
        return _("Check %(provider)s") % {"provider": self.provider}

    def after(self, error: Exception) -> OutcomeUnknown | None:
        """These choices after `error` from a create or send, or None when its outcome is
        known: refused (nothing happened), or done by the first of two submissions."""
        if isinstance(error, AlreadySubmitted) and error.object_id is None:
            # Sent before, outcome unknown (or still on its way): the form stays, as typed.
            if self.sent:
                text = _(
                    "This %(noun)s was already sent to %(provider)s, and Switchboard does not "
                    "know whether it was sent."
                )
            else:
                text = _(
                    "This %(noun)s was already sent to %(provider)s, and Switchboard does not "
                    "know whether it was created."
                )
            self.reason = text % {"noun": self.noun, "provider": self.provider}
            return self
        if isinstance(error, ProviderError) and error.outcome_unknown:
            self.reason = str(error)
            return self
        return None

    def check(self, find: Callable[[], Checked]) -> OutcomeUnknown:
        """Run `find` (which refreshes from the provider and says what it sees)."""
        try:
            self.checked = find()
        except ProviderError as error:
            self.checked = Checked(
                _("%(provider)s could not be checked. %(error)s")
                % {"provider": self.provider, "error": error}
            )
        return self


# --- files chosen before the form is done ----------------------------------------------------
KEEP_FOR = timedelta(days=1)


def uploads_kept(token: str) -> list[KeptUpload]:
    """The files kept for the form with this token, as chosen (names and sizes, not read)."""
    return list(KeptUpload.objects.filter(token=token).defer("content")) if token else []


def uploads_keep(token: str, files: Iterable[File]) -> None:
    """Keep `files` for the form with this token; one of the same name as a file kept before
    takes its place. Files any form kept longer than a day go."""
    if not token:
        return  # an older page without a token: nothing to keep them with
    with transaction.atomic():
        KeptUpload.objects.filter(kept_at__lt=timezone.now() - KEEP_FOR).delete()
        for f in files:
            f.seek(0)
            content = f.read()
            KeptUpload.objects.filter(token=token, name=f.name).delete()
            KeptUpload.objects.create(token=token, name=f.name, size=len(content), content=content)


def upload_drop(token: str, upload_id: int) -> None:
    """The user's "remove" beside a kept file."""
    KeptUpload.objects.filter(token=token, pk=upload_id).delete()


def uploads_open(kept: list[KeptUpload]) -> list[File]:
    """Kept files with their content, to send (one query)."""
    rows = KeptUpload.objects.filter(pk__in=[k.pk for k in kept]).order_by("id")
    return [ContentFile(bytes(row.content), name=row.name) for row in rows]


def uploads_done(token: str) -> None:
    """The form is done (its files were sent): forget what was kept for it."""
    if token:
        KeptUpload.objects.filter(token=token).delete()
