"""The community directory: the community, its buildings, homes and common places."""
