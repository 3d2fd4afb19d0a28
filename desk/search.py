"""Finding a word inside names, by index on PostgreSQL, whatever the word's length.

Django writes ``name__icontains`` as ``UPPER(name) LIKE UPPER('%…%')``, which the trigram indexes
of migrations ``customers.0002`` and ``contracts.0007`` serve from three characters on. A word of
one or two characters, common in Chinese (``打印``), has no trigram: PostgreSQL read every row.
Such a word is found through a GIN index of each name's one- and two-character pieces
(``desk_short_grams``, migration ``desk.0006_short_grams``): it holds the word exactly when the
word is one of them. SQLite, the development database, scans its rows as before.
"""

from django.db.models import BooleanField, F, Func, Q, Value

SHORT = 2  # the longest word the pieces serve; longer ones have trigrams


class HoldsPiece(Func):
    """Whether a column's pieces (its one- and two-character substrings, upper case) hold a
    word, ``desk_short_grams(column) @> ARRAY[UPPER(word)]``: a test an index answers
    (PostgreSQL). It only narrows: the ``icontains`` beside it decides. Elsewhere always true."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        return "1 = 1", []

    def as_postgresql(self, compiler, connection, **extra_context):
        column, word = (compiler.compile(expression) for expression in self.source_expressions)
        return (
            f"desk_short_grams({column[0]}) @> ARRAY[UPPER({word[0]})]",
            [*column[1], *word[1]],
        )


def contains(field: str, word: str) -> Q:
    """``field`` holds ``word`` in any case (``icontains``), found by index on PostgreSQL for a
    word of any length."""
    condition = Q(**{f"{field}__icontains": word})
    if 0 < len(word) <= SHORT:
        condition &= Q(HoldsPiece(F(field), Value(word)))
    return condition
