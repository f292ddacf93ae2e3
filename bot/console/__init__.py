"""The staff console: a small web application on the office network where staff sign in, work the queue of
reports and residents' questions, and see the audit log (`python -m bot console`; accounts: `python -m bot staff`).

Its pages call the same queue operations as the `queue` command, so the console and the command line never
disagree about what a change does.
"""
