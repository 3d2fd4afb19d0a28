# The browser fixtures of tests/browser, shared with the plan pages' browser tests.
from tests.browser.conftest import browser, context, page  # noqa: F401
