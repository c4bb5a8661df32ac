"""The steps of a regulated number after delivery (in-app KYC): file its registration with DIDWW,
follow the review, and announce the number once approved — or park it for corrected documents.

Each step is safe to repeat after a crash: a verification is filed under a reference naming the
request and the round (`<request_id>/<round>`), looked up before filing again.
"""

from __future__ import annotations

from velo_contracts import (
    AlertSeverity,
    ErrorCode,
    KycFiling,
    RegistrationRejected,
    RegistrationSubmitted,
)
from velo_didww import AddressVerification, ValidationFailed
from velo_ordering import domain
from velo_ordering.domain import Progress, Status, Step
from velo_ordering.steps import StepContext, approved, first_attempt

PARKED_SECONDS = 24 * 3600.0
"""How long a rejected registration waits before recovery looks at it again (it only re-parks:
the admin's corrected documents move it on at once)."""


def reference(ctx: StepContext) -> str:
    """Names this round's verification at DIDWW (its external reference)."""
    return f"{ctx.command.request_id}/{int(ctx.document.get('registration_round', 1))}"


async def register(ctx: StepContext) -> Progress:
    """Files the number's registration: the identity's address, for its DID."""
    filing = KycFiling.model_validate(ctx.document["kyc"])
    ref = reference(ctx)
    first = first_attempt(ctx, Step.REGISTER)
    filed = (
        [] if first else await ctx.didww.list_address_verifications({"external_reference_id": ref})
    )
    try:
        verification = filed[0] if filed else await _file(ctx, filing, ref)
    except ValidationFailed as exc:  # the number is bought: a refusal here asks for corrections
        return _rejected(ctx, None, [exc.detail], None)
    event = RegistrationSubmitted.caused_by(
        ctx.command,
        request_id=ctx.command.request_id,
        number=ctx.document["number"],
        verification_id=verification.id,
        reference=verification.reference,
        identity_id=filing.identity_id,
        address_id=filing.address_id,
    )
    fields = {"registration": _state(verification, ctx)}
    return Progress(
        Step.AWAIT_REGISTRATION,
        fields,
        (event,),
        Status.REGISTERING,
        wait_seconds=ctx.poll_interval,
    )


async def _file(ctx: StepContext, filing: KycFiling, ref: str) -> AddressVerification:
    return await ctx.didww.create_address_verification(
        filing.address_id,
        [ctx.document["did_id"]],
        callback_url=ctx.callback_url,
        service_description=filing.service_description,
        external_reference_id=ref,
    )


async def await_registration(ctx: StepContext) -> Progress:
    """Reads DIDWW's review: pending (read again), rejected (park), approved (announce)."""
    state = ctx.document["registration"]
    verification = await ctx.didww.get_address_verification(state["verification_id"])
    if verification.status == "pending":
        return Progress(Step.AWAIT_REGISTRATION, wait_seconds=ctx.poll_interval)
    if verification.status == "rejected":
        reasons = list(verification.reject_reasons or [])
        return _rejected(ctx, verification, reasons, verification.reject_comment)
    number = ctx.document["number"]
    told = domain.alert(
        ctx.command,
        ErrorCode.REGISTRATION_APPROVED,
        "DIDWW approved the registration",
        detail=f"{number} is registered; it is being routed and shows Active in a moment.",
        severity=AlertSeverity.INFO,
    )
    progress = approved(
        ctx,
        ctx.document["did_id"],
        number,
        registration=_state(verification, ctx),
    )
    return Progress(progress.step, progress.fields, (*progress.events, told), progress.status)


def _rejected(
    ctx: StepContext,
    verification: AddressVerification | None,
    reasons: list[str],
    comment: str | None,
) -> Progress:
    number = ctx.document["number"]
    event = RegistrationRejected.caused_by(
        ctx.command,
        request_id=ctx.command.request_id,
        number=number,
        verification_id=verification.id if verification else "",
        reasons=reasons,
        comment=comment,
    )
    said = "; ".join(reasons) or "no reason given"
    detail = (
        f"DIDWW rejected the registration of {number}: {said}"
        + (f" ({comment})" if comment else "")
        + ". File corrected documents and submit the registration again; the number stays "
        "yours (and billed) meanwhile, or release it."
    )
    alert = domain.alert(
        ctx.command, ErrorCode.KYC_INCOMPLETE, "DIDWW rejected the registration", detail=detail
    )
    alert = alert.model_copy(update={"alert_id": f"{alert.alert_id}-{reference(ctx)}"})
    state: dict[str, object] = {"status": "rejected", "reasons": reasons, "comment": comment}
    if verification is not None:
        state = _state(verification, ctx) | state
    return Progress(
        Step.CORRECTION,
        {"registration": state},
        (event, alert),
        Status.REGISTERING,
        wait_seconds=PARKED_SECONDS,
    )


async def correction(ctx: StepContext) -> Progress:
    """Waits for the admin's corrected documents (SubmitRegistration moves the request on)."""
    return Progress(Step.CORRECTION, wait_seconds=PARKED_SECONDS)


def _state(verification: AddressVerification, ctx: StepContext) -> dict[str, object]:
    return {
        "status": verification.status,
        "verification_id": verification.id,
        "reference": verification.reference,
        "round": int(ctx.document.get("registration_round", 1)),
        "reasons": list(verification.reject_reasons or []),
        "comment": verification.reject_comment,
    }


STEPS = {
    Step.REGISTER: register,
    Step.AWAIT_REGISTRATION: await_registration,
    Step.CORRECTION: correction,
}
