"""Reports for staff, read from what the running bot recorded."""
