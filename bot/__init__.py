"""Delight: a recognition bot built on Steve Curtin's definition of customer service."""
