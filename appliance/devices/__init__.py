"""Hardware at the appliances' edges: small interfaces, each with a real driver and a fake."""
