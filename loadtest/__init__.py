"""`make loadtest`: thousands of phones on the production stack, with faults (docs/performance.md)."""
