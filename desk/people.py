"""How the pages name people."""


def person_name(user) -> str:
    """A user as the pages name them: the full name, or the username when there is none."""
    return user.get_full_name() or user.get_username()
