"""Refusals of the organisation services; each carries the message the user reads and a short code."""


class OrganisationError(Exception):
    def __init__(self, message, *, code):
        super().__init__(message)
        self.message = message
        self.code = code


class JoinCodeRefused(OrganisationError):
    """The code matches no group, or the group has switched joining by code off."""


class InvitationNotSent(OrganisationError):
    """The mail server refused the invitation e-mail; nobody was invited."""


class InvitationRefused(OrganisationError):
    """The invitation cannot be accepted: used, revoked, expired or meant for another e-mail address (``code``)."""
