"""One submitted form, one provider write: each create/send form carries a one-time token,
claimed before the provider is called."""

from __future__ import annotations

from django.db import IntegrityError

from dashboard.models import FormSubmission
from dashboard.providers import ProviderError


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
