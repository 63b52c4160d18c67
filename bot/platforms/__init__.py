"""The chat platforms Delight runs on: each one's builder wires its adapter to storage."""
