"""Reading directory and vocabulary files: decoding, parsing and validating every row.

Nothing here writes. A reader turns a file into records (``records``) or rejects it with every
error found (``ImportRejected``); the services in ``resources.services`` then write the records
in one transaction.
"""
