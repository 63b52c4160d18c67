"""Chat-platform adapters: parse what the platform sends, call the domain, render the answer."""
