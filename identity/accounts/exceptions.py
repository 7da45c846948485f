"""Why a sign-in with a provider was refused; each carries the message the person reads and a short code."""


class SignInRefused(Exception):
    def __init__(self, message, *, code):
        super().__init__(message)
        self.message = message
        self.code = code
