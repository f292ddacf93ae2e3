"""Rasa SDK actions: thin adapters from Rasa to the logic in `bot`."""
