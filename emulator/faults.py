"""Failures the token endpoint, the gateway or the Token Management Service play back, for failure-handling tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q
from django.http import JsonResponse
from django.utils import timezone

from .models import Fault


class FaultSpecError(ValueError):
    pass


SPEC_KEYS = {"mode", "calls", "seconds", "hang_seconds", "tenant", "target", "path"}


def create(spec: dict) -> Fault:
    """A fault from {"mode", "calls"?, "seconds"?, "hang_seconds"?, "tenant"?, "target"?, "path"?}.

    Neither calls nor seconds: until cleared. `target` is "token" (default), "gateway" or "technical"
    (the Token Management Service); `path` (gateway only) limits it to calls whose path contains it,
    e.g. "/iottimeseries/".
    """
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        # A misspelt limit ("call": 2) would otherwise set a fault that lasts until cleared.
        raise FaultSpecError(f"unknown keys: {', '.join(unknown)}; allowed: {', '.join(sorted(SPEC_KEYS))}")
    mode = spec.get("mode")
    if mode not in Fault.Mode.values:
        raise FaultSpecError(f"mode must be one of {', '.join(Fault.Mode.values)}")
    calls = _number(spec, "calls", int)
    seconds = _number(spec, "seconds", float)
    hang = _number(spec, "hang_seconds", float)
    if mode == Fault.Mode.HANG and not hang:
        raise FaultSpecError("mode 'hang' needs hang_seconds")
    tenant = spec.get("tenant") or ""
    if not isinstance(tenant, str):
        raise FaultSpecError("tenant must be a string")
    # A session can only end at the gateway, so that is where "session_over" goes by default.
    target = spec.get("target") or (Fault.Target.GATEWAY if mode == Fault.Mode.SESSION_OVER else Fault.Target.TOKEN)
    if target not in Fault.Target.values:
        raise FaultSpecError(f"target must be one of {', '.join(Fault.Target.values)}")
    if mode == Fault.Mode.SESSION_OVER and target != Fault.Target.GATEWAY:
        raise FaultSpecError("mode 'session_over' ends the gateway's sessions: its target is 'gateway'")
    if target == Fault.Target.GATEWAY and mode == Fault.Mode.INVALID_GRANT:
        raise FaultSpecError(
            "the gateway has no grants: use mode '503', '429', 'hang' or 'session_over' for target 'gateway'"
        )
    if target != Fault.Target.TOKEN and mode == Fault.Mode.INVALID_GRANT:
        raise FaultSpecError(f"mode 'invalid_grant' is the token endpoint's: use '503', '429' or 'hang' for '{target}'")
    path = spec.get("path") or ""
    if not isinstance(path, str) or len(path) > 200:
        raise FaultSpecError("path must be a string of at most 200 characters")
    if path and target != Fault.Target.GATEWAY:
        raise FaultSpecError("path applies to target 'gateway' only")
    return Fault.objects.create(
        mode=mode,
        target=target,
        tenant=tenant,
        remaining_calls=calls,
        until=timezone.now() + timedelta(seconds=seconds) if seconds else None,
        hang_seconds=hang or 0,
        path=path,
    )


def _number(spec: dict, key: str, kind: type):
    """A positive number of the given kind, or None when absent.

    Zero is refused: `"seconds": 0` would otherwise mean "until cleared" and `"calls": 0` never fire.
    """
    value = spec.get(key)
    if value is None:
        return None
    allowed = (int,) if kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed) or value <= 0:
        noun = "a positive whole number" if kind is int else "a positive number"
        raise FaultSpecError(f"{key} must be {noun}")
    return kind(value)


def active() -> list[Fault]:
    now = timezone.now()
    return list(
        Fault.objects.filter(Q(until__isnull=True) | Q(until__gt=now))
        .filter(Q(remaining_calls__isnull=True) | Q(remaining_calls__gt=0))
        .order_by("created", "id")
    )


def take(tenant: str, target: str = Fault.Target.TOKEN, path: str = "") -> Fault | None:
    """The fault that applies to this call, using up one of its calls; None when there is none."""
    for fault in active():
        if fault.target != target or (fault.tenant and fault.tenant != tenant) or fault.path not in path:
            continue
        if fault.mode == Fault.Mode.SESSION_OVER:
            continue  # not a failure of a call: the emulated gateway asks session_over() for these
        if _use_call(fault):
            return fault
    return None


def session_over(tenant: str, path: str, started: datetime) -> bool:
    """Whether a "session_over" fault ends a gateway session of this tenant that began at `started`.

    Only sessions begun before the fault was set end, so signing in again works while it is active.
    """
    for fault in active():
        if fault.mode != Fault.Mode.SESSION_OVER or (fault.tenant and fault.tenant != tenant):
            continue
        if fault.path in path and fault.created > started and _use_call(fault):
            return True
    return False


def _use_call(fault: Fault) -> bool:
    if fault.remaining_calls is None:
        return True
    # Conditional decrement: concurrent callers never use the same call twice.
    used = Fault.objects.filter(pk=fault.pk, remaining_calls__gt=0).update(remaining_calls=F("remaining_calls") - 1)
    return bool(used)


def response(fault: Fault) -> JsonResponse:
    if fault.mode == Fault.Mode.INVALID_GRANT:
        return JsonResponse(
            {"error": "invalid_grant", "error_description": "The grant was refused (emulated fault)."}, status=400
        )
    if fault.mode == Fault.Mode.TOO_MANY_REQUESTS:
        reply = JsonResponse(
            {"error": "too_many_requests", "error_description": "Too many requests (emulated fault)."}, status=429
        )
    else:
        reply = JsonResponse(
            {"error": "temporarily_unavailable", "error_description": "The service is unavailable (emulated fault)."},
            status=503,
        )
    reply["Retry-After"] = "1"
    return reply


def describe(fault: Fault) -> dict:
    return {
        "id": fault.pk,
        "mode": fault.mode,
        "target": fault.target,
        "tenant": fault.tenant or None,
        "remaining_calls": fault.remaining_calls,
        "until": fault.until.isoformat() if fault.until else None,
        "hang_seconds": fault.hang_seconds,
        "path": fault.path or None,
    }


def clear() -> None:
    Fault.objects.all().delete()
