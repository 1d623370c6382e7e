"""What coursetrack does, as functions that take a session and return data.

Nothing here prints or knows about the terminal; the CLI renders the results.
"""
