"""Rasa input channels (credentials.yml): REST, the web widget and WeChat, translating between residents and the bot."""
