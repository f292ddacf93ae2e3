"""What can go wrong in the governance queue; each message is polite Chinese, fit to show as it is."""


class GovernanceError(Exception):
    """Base class: `str(error)` is a message for a resident or a staff member."""


class InvalidReport(GovernanceError, ValueError):
    """The report cannot be accepted as it is (empty, too long, unknown category, ...)."""


class InvalidStatus(GovernanceError, ValueError):
    """A status name that is neither one of our codes nor one of their Chinese labels."""


class UnknownTicket(GovernanceError, LookupError):
    """No report has this ticket number."""


class NotRejected(GovernanceError):
    """Only a report the events backend refused can be sent again."""
