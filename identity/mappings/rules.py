"""What one claim mapping makes of a person's claims: no membership, or a role. Pure functions, no database."""

from lessons.models import Membership

Role = Membership.Role
RANK = {Role.LEARNER: 0, Role.TEACHER: 1, Role.ADMIN: 2}


def claim_values(claims, name):
    """The values of claim ``name`` as strings: one value or a list of them; objects and booleans count for nothing."""
    value = claims.get(name)
    values = value if isinstance(value, list | tuple) else [value]
    return {str(item) for item in values if isinstance(item, str | int) and not isinstance(item, bool)}


def listed_values(text):
    """The comma-separated values an administrator typed, compared without regard to case."""
    return {value.strip().casefold() for value in text.split(",") if value.strip()}


def role_from_claims(mapping, claims):
    """The role ``claims`` give in ``mapping.organisation``, or None when they do not make the person a member.

    The teacher role only when the organisation trusts the provider for it; a claimed teacher of an
    organisation that does not is a learner.
    """
    if mapping.organisation_value not in claim_values(claims, mapping.organisation_claim):
        return None
    if not mapping.role_claim:
        return Role.LEARNER
    roles = {value.casefold() for value in claim_values(claims, mapping.role_claim)}
    if roles & listed_values(mapping.teacher_values):
        return Role.TEACHER if mapping.trusts_teacher_role else Role.LEARNER
    learner_values = listed_values(mapping.learner_values)
    if not learner_values or roles & learner_values:
        return Role.LEARNER
    return None


def higher(role, other):
    """The higher of two roles; "" (no role) is below every role."""
    if not other:
        return role
    if not role:
        return other
    return role if RANK[role] >= RANK[other] else other
