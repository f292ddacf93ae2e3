"""Tests for the knowledge base, its replies and actions, and the unanswered-questions report."""
