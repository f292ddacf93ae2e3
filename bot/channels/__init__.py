"""Rasa input channels: the only part of `bot` that speaks Rasa, translating between residents and the bot."""
