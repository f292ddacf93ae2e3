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


class InvalidConsultation(GovernanceError, ValueError):
    """A question (or an answer, or an addition) that cannot be stored as it is: empty, too long."""


class UnknownConsultation(GovernanceError, LookupError):
    """No consultation has this number (or it is not the asking conversation's)."""


class AlreadyAnswered(GovernanceError):
    """A consultation is answered once: a second answer is refused, not stored over the first."""


class InvalidRating(GovernanceError, ValueError):
    """A rating that is none of 满意 / 基本满意 / 不满意."""
