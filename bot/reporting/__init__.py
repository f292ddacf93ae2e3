"""The "report a problem" conversation and ticket look-ups: the rules behind them, independent of Rasa."""
