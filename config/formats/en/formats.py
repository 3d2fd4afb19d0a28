"""One date and one date-time format for English pages (lists, detail pages, history, emails
alike), on a 24-hour clock; ``desk.templatetags.when.to_the_second`` adds seconds for the ledger."""

DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "M j"
YEAR_MONTH_FORMAT = "M Y"
# What a date input (<input type="date">) sends and shows: ISO first.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
