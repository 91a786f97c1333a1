"""The documents of one application: what is filed in each slot, each submission's verification,
the review decisions that settle it, and the renewal proofs uploaded after the card.

The aggregate decides; storing it (and the events it causes) is the repository's job. Filing
an upload answers which earlier upload it replaced, so its object can go once the new filing is
certainly stored; verifying a submission is done once, whatever the redeliveries; a verdict
waiting for operators is settled once, when its last review item is decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from amo_documents.domain.filed import Decision, Upload
from amo_documents.domain.rules import DocumentRules
from amo_documents.domain.verdicts import (
    ALREADY_VERIFIED,
    AlreadyVerified,
    FilingConflict,
    FilingRefused,
    QuotaExceeded,
    ReviewDecision,
    Submission,
    Verdict,
    Verification,
)
from amo_documents.domain.verification import (
    ACCEPTED_TYPES,
    IDENTITY_KINDS,
    Concern,
    Identity,
    Required,
    Slot,
    judge_all,
    outcome,
    worded,
)
from amo_shared.events import (
    DocumentKind,
    DocumentRevalidated,
    DocumentsVerified,
    DocumentVerdict,
)


@dataclass
class ApplicationDocuments:
    application_id: str
    documents: dict[Slot, Upload] = field(default_factory=dict)
    verifications: dict[int, Verification] = field(default_factory=dict)
    # Applications operators found not to be this person's duplicates, and a confirmed one.
    identity_cleared: frozenset[str] = frozenset()
    identity_duplicate: ReviewDecision | None = None
    renewals: dict[Slot, list[Upload]] = field(default_factory=dict)

    def file(self, slot: Slot, upload: Upload, quota_bytes: int | None = None) -> Upload | None:
        """File `upload` in `slot`, replacing what was there; returns the replaced upload.

        Filing the same upload again (a retried write) changes nothing and replaces nothing; a
        verified document, or one waiting for an operator, is never replaced; past
        `quota_bytes` in all (the replaced document's bytes freed), nothing is filed.
        """
        _check_upload(slot, upload)
        current = self.documents.get(slot)
        if current is not None and current.key == upload.key:
            return None
        if any(u.key == upload.key for s, u in self.documents.items() if s != slot):
            raise FilingRefused("un envoi ne peut être classé qu'une fois")
        if current is not None and current.verified:
            raise FilingConflict("pièce déjà vérifiée : elle ne peut plus être remplacée")
        if current is not None and self.under_review(slot):
            raise FilingConflict("pièce en cours de vérification par un agent")
        self.check_quota(slot, upload.size, quota_bytes)
        self.documents[slot] = upload
        return current

    def stored_bytes(self, *, besides: Slot | None = None) -> int:
        """What this application's documents take in storage, renewal proofs included; the
        document in `besides` is left out (a replacement frees its bytes)."""
        filed = sum(u.size for s, u in self.documents.items() if s != besides)
        return filed + sum(u.size for kept in self.renewals.values() for u in kept)

    def check_quota(self, slot: Slot, size: int, quota_bytes: int | None) -> None:
        """QuotaExceeded when `size` more bytes in `slot` would pass `quota_bytes` in all."""
        if quota_bytes is not None and self.stored_bytes(besides=slot) + size > quota_bytes:
            raise QuotaExceeded(quota_bytes)

    def under_review(self, slot: Slot) -> bool:
        return any(
            c.slot == slot and c.subject == "document"
            for v in self.verifications.values()
            for c in v.waiting
        )

    def verify(
        self,
        submission: Submission,
        required: Iterable[Required],
        rules: DocumentRules,
        *,
        checklist_version: str,
        at: datetime,
    ) -> Verdict | AlreadyVerified:
        """The verdict on every required document as filed now, listing every problem at once."""
        if submission.application_id != self.application_id:
            raise ValueError("the submission belongs to another application")
        if submission.submission in self.verifications:
            return ALREADY_VERIFIED
        verdicts, concerns = self._judge(submission, list(required), rules)
        # A concern makes the file wait even when its document is missing (an identity check).
        event = self._event(submission, verdicts, at, waits=bool(concerns))
        return Verdict(submission, checklist_version, event, tuple(concerns))

    def _judge(
        self, submission: Submission, required: list[Required], rules: DocumentRules
    ) -> tuple[list[DocumentVerdict], list[Concern]]:
        prefix = f"{self.application_id}.{submission.submission}."
        identity = Identity.of(submission.applicant)
        verdicts, concerns = judge_all(required, self.documents, identity, rules, prefix)
        duplicates = set(submission.likely_duplicate_of)
        at = next((i for i, v in enumerate(verdicts) if _is_identity(v)), None)
        if self.identity_duplicate is not None:
            if at is not None and verdicts[at].status == "accepted":
                verdicts[at] = worded(
                    rules, required[at], "refused", "identity.duplicate", verdicts[at].sha256
                )
        elif duplicates - self.identity_cleared:
            slot = Slot(verdicts[at].kind) if at is not None else Slot(DocumentKind.CNIE)
            code = "identity.duplicate_suspected"
            concerns.append(
                Concern(
                    f"{prefix}identity", "identity", slot, code, None, tuple(sorted(duplicates))
                )
            )
            if at is not None and verdicts[at].status == "accepted":
                verdicts[at] = worded(rules, required[at], "in_review", code, verdicts[at].sha256)
        return verdicts, concerns

    def _event(
        self,
        submission: Submission,
        verdicts: list[DocumentVerdict],
        at: datetime,
        *,
        waits: bool = False,
    ) -> DocumentsVerified:
        return DocumentsVerified(
            application_id=self.application_id,
            submission=submission.submission,
            verified_at=at,
            outcome="in_review" if waits else outcome(verdicts),
            verdicts=verdicts,
            applicant=submission.applicant,
            submitted_at=submission.submitted_at,
        )

    def record(self, verdict: Verdict, *, event_id: str, caused_by: str) -> Verification:
        """Keep `verdict` as emitted in event `event_id`; a submission is verified once only.

        Accepted documents are verified from now on: reused by later submissions, never replaced.
        """
        number = verdict.submission.submission
        if number in self.verifications:
            raise ValueError(f"submission {number} is already verified")
        self._lock_accepted(verdict.event.verdicts, verdict.event.verified_at)
        verification = Verification(
            submission=verdict.submission,
            outcome=verdict.event.outcome,
            verdicts=tuple(verdict.event.verdicts),
            verified_at=verdict.event.verified_at,
            checklist_version=verdict.checklist_version,
            event_id=event_id,
            caused_by=caused_by,
            concerns=verdict.concerns,
        )
        self.verifications[number] = verification
        return verification

    def _lock_accepted(self, verdicts: Iterable[DocumentVerdict], at: datetime) -> None:
        for v in verdicts:
            slot = Slot(v.kind, v.dependant)
            upload = self.documents.get(slot)
            if v.status == "accepted" and upload is not None and upload.decision is None:
                self.documents[slot] = upload.decided(Decision("accepted", at))

    def decide(
        self,
        item_id: str,
        decision: ReviewDecision,
        required: Iterable[Required],
        rules: DocumentRules,
        *,
        at: datetime,
    ) -> Verdict | None:
        """Apply an operator's final word; the final verdict once no item of it waits.

        None when nothing is to be emitted: other items still wait, or this decision was
        applied already (a repeated settle).
        """
        found = [
            (v, c) for v in self.verifications.values() for c in v.concerns if c.item_id == item_id
        ]
        if not found:
            raise ValueError("no such review item for this application")
        verification, concern = found[0]
        if item_id in verification.decided:
            return None
        verification.decided[item_id] = decision
        self._apply(concern, decision)
        if verification.waiting or verification.settled_event_id is not None:
            return None
        sub = verification.submission
        verdicts, _ = self._judge(sub, list(required), rules)
        # Anything still undecided here was changed under the verdict: name it, never wait forever.
        final = [
            worded(rules, r, "refused", "review.refused", v.sha256)
            if v.status == "in_review"
            else v
            for r, v in zip(required, verdicts, strict=True)
        ]
        return Verdict(sub, verification.checklist_version, self._event(sub, final, at))

    def _apply(self, concern: Concern, decision: ReviewDecision) -> None:
        if concern.subject == "identity":
            if decision.approved:
                self.identity_cleared = self.identity_cleared | set(concern.likely_duplicate_of)
            else:
                self.identity_duplicate = decision
            return
        upload = self.documents.get(concern.slot)
        if upload is None or upload.sha256 != concern.sha256 or upload.decision is not None:
            return
        if decision.approved:
            judged = Decision("accepted", decision.at, by=decision.by)
        else:
            judged = Decision(
                "refused", decision.at, "review.refused", decision.reason, decision.by
            )
        self.documents[concern.slot] = upload.decided(judged)

    def record_settled(self, verdict: Verdict, *, event_id: str) -> Verification:
        number = verdict.submission.submission
        before = self.verifications[number]
        self._lock_accepted(verdict.event.verdicts, verdict.event.verified_at)
        after = replace(
            before,
            outcome=verdict.event.outcome,
            verdicts=tuple(verdict.event.verdicts),
            verified_at=verdict.event.verified_at,
            settled_event_id=event_id,
        )
        self.verifications[number] = after
        return after

    def renew(
        self,
        slot: Slot,
        upload: Upload,
        renewal_kinds: frozenset[DocumentKind],
        *,
        at: datetime,
        quota_bytes: int | None = None,
    ) -> DocumentRevalidated | None:
        """Keep a renewal proof uploaded after the card; None if this very proof came already.
        Kept proofs stay (they are the card's history), so they count against `quota_bytes`."""
        _check_upload(slot, upload)
        if slot.kind not in renewal_kinds:
            raise FilingConflict("après la carte, seules les pièces de renouvellement sont reçues")
        kept = self.renewals.setdefault(slot, [])
        if any(u.sha256 == upload.sha256 for u in kept):
            return None
        if quota_bytes is not None and self.stored_bytes() + upload.size > quota_bytes:
            raise QuotaExceeded(quota_bytes)
        kept.append(upload.decided(Decision("accepted", at)))
        return DocumentRevalidated(
            application_id=self.application_id,
            kind=slot.kind,
            dependant=slot.dependant,
            sha256=upload.sha256,
            accepted_at=at,
        )

    def keys(self) -> set[str]:
        """The objects this application's records point to."""
        renewed = {u.key for uploads in self.renewals.values() for u in uploads}
        return {upload.key for upload in self.documents.values()} | renewed

    def filed(self) -> list[tuple[Slot, Upload]]:
        """What is filed, in slot order (kind, then the member before dependants)."""
        return sorted(self.documents.items(), key=lambda item: item[0].name)


def _check_upload(slot: Slot, upload: Upload) -> None:
    if upload.content_type not in ACCEPTED_TYPES:
        raise FilingRefused("format non accepté : PDF, JPEG ou PNG attendu")
    if upload.size <= 0:
        raise FilingRefused("fichier vide")
    if slot.dependant is not None and slot.dependant < 0:
        raise FilingRefused("personne à charge inconnue")


def _is_identity(verdict: DocumentVerdict) -> bool:
    return verdict.kind in IDENTITY_KINDS and verdict.dependant is None
