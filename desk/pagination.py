from django.core.paginator import Paginator


class IdFirstPaginator(Paginator):
    """Find a page's ids by an index-only scan, then load only those rows with their joins.

    A deep page (OFFSET 50,000) otherwise walks every skipped row through the list's joins.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
