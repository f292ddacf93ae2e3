"""前进小助手: resident-service logic for 前进街道, independent of Rasa."""
