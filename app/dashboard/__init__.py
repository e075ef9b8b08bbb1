"""The buyer dashboard: portfolio figures and charts from aggregate queries."""
