"""Repairs: the first kind of work order. Residents report and follow them; "is it one of
these?" and "me too" for common places."""
