class ApplicationError(Exception):
    """A rule of the application refused a change; the message is shown to the user."""

    def __init__(self, message: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
