"""The admin commands of `python -m bot`: one module a command, each with `add_parser`."""
