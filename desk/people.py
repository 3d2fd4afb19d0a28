"""How the pages name people."""

# What ``person_name`` reads of a user: a list's query reads no more of the people it names.
PERSON_NAME_FIELDS = ("first_name", "last_name", "username")


def person_name(user) -> str:
    """A user as the pages name them: the full name, or the username when there is none."""
    return user.get_full_name() or user.get_username()
