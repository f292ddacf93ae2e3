"""`python -m bot bench`: speed, size and accuracy figures of the running bot, printed as one table.

Figures, not a gate: targets are printed next to them with ✓/✗ and the command exits 0 whatever they say.
Speed figures depend on the machine and on what else runs on it, so they compare only within one run.
"""
