"""Residents' personal data kept no longer than needed: retention limits applied daily, and a resident's right to
have their data deleted on request (PIPL)."""
