"""The resident's side of reaching a person: leaving a question for staff (留言 / 转人工) and rating a closed ticket.

Plain Python, no Rasa: actions/consult.py translates slots and events.
"""
