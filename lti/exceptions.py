class LaunchRefused(Exception):
    """A verified launch the tool will not carry out; ``message`` says why to the person launching."""

    def __init__(self, message, status=403):
        super().__init__(message)
        self.message = message
        self.status = status
