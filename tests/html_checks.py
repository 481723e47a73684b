"""What a real browser trips on in our HTML, checked without one: htmx attributes that came out
of a macro with underscores (hx_get does nothing), and a form inside another form (the browser
closes the outer one at the first inner </form>)."""

from html.parser import HTMLParser


class _FormNesting(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, _value in attrs:
            if name.startswith("hx_"):
                self.problems.append(f"<{tag}> has {name} (htmx wants hx-…)")
        if tag == "form":
            if self.depth:
                action = dict(attrs).get("action")
                self.problems.append(f"a <form action={action!r}> inside another form")
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1


def html_problems(html: str) -> list[str]:
    """Underscored htmx attributes and nested forms in a page or a partial."""
    parser = _FormNesting()
    parser.feed(html)
    parser.close()
    return parser.problems
