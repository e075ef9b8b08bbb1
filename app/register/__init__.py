"""Risk register: vendors, findings and AI supply-chain concentration."""
