"""The buyer's register of ICT third-party service providers."""
