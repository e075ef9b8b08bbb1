"""Evidence: vendors' document libraries, stored once by content hash, and their integrity."""
