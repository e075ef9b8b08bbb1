"""The buyer organisation's own details: what the DORA Register of Information says about it."""
