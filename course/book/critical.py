"""Critical CSS: each page paints with its stylesheets' rules inline, the sheets load after.

The theme links ten stylesheets (0.5 MB, most of it rules no page uses) in every page's
``<head>``; a browser paints nothing until it has fetched and parsed all of them. After the HTML
build, each page gets, inline in its head, the rules of those sheets (in their order, ``@import``
followed) that can match an element of that page, and the sheets themselves load without
blocking the paint (``media="print"`` swapped to ``all`` once loaded; a ``<noscript>`` keeps
them blocking with JavaScript off). A rule is kept when the last compound of one of its selectors
names only tags, classes and ids present in the page (a superset of the rules that match), so the
page's first paint has the cascade of the full sheets; when they arrive they change nothing that
was already drawn. States that scripts add later (menus, dialogs) come with the full sheets.

The two small synchronous scripts every page's inline snippets run against are inlined too, so
nothing but the HTML itself stands before the first paint.

What the first paint does not need waits until it is on screen: the stylesheet links, the
theme's deferred and async scripts (fontawesome's 1.5 MB among them) and their preloads sit in
inert ``<template>``s, and a small script at the end of the body (``after_paint.js``) puts them
in place once the first paint is on screen. Fetched and run with the HTML, they competed with
its first frame for the two cores (benchmarks/RESULTS.md). The static chart pictures wait too
(lazy, made eager by that script), and the theme's own images (the launch menu's logos, in a
closed menu) load lazily.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

import tinycss2

from course.charts import STATIC_CLASS

STYLE_ID = "course-critical"
FALLBACK_ID = "course-css-fallback"
SWAP_ID = "course-css-swap"
# A stylesheet link that loads without blocking the paint. The sheets switch on together once
# all of them have arrived: one switched on alone would come after the inline rules of the sheets
# that follow it and override them (the primary sidebar widened for a moment, charts jumped).
DEFERRED = (
    'media="print" onload="courseSheets(this)" onerror="courseSheets(this)" '
    'data-course-deferred="{count}"'
)
SWAP = (
    f'<script id="{SWAP_ID}">function courseSheets(l){{l.dataset.done=1;'
    "var a=document.querySelectorAll('link[data-course-deferred]');"
    "if(a.length==+l.dataset.courseDeferred&&[].every.call(a,function(e){return e.dataset.done}))"
    "[].forEach.call(a,function(e){e.media='all'})}</script>\n"
)
# Held until the first paint: a template's content is inert (nothing in it loads or runs).
HELD = "<template data-course-after-paint>{}</template>"
AFTER_PAINT_ID = "course-after-paint"
# Puts the held tags in place once the first paint is on screen; sets
# <html data-course-after-paint="done"> once every held script has run (the browser tests wait
# for it).
AFTER_PAINT = (
    f'<script id="{AFTER_PAINT_ID}">'
    + (Path(__file__).parent / "after_paint.js").read_text(encoding="utf-8").replace("</", "<\\/")
    + "</script>\n"
)
# The theme's head script restores the colours it stored on the last visit ("auto" on the first).
# Its main script, now after the first paint, works them out from the reader's mode: light or
# dark as chosen, or the system's for "auto" (which may have changed since). Done here first, the
# same way, so the first paint has the colours the page keeps.
THEME_ID = "course-theme"
THEME = (
    f'<script id="{THEME_ID}">(function(h){{var m=h.dataset.mode;'
    'h.dataset.theme=m==="light"||m==="dark"?m:'
    'matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light"})'
    "(document.documentElement)</script>\n"
)
# Synchronous head scripts small enough to inline (their snippets run against them at once).
INLINE_SCRIPTS = ("_static/documentation_options.js", "_static/doctools.js")

_LINK = re.compile(
    r'<link rel="stylesheet" type="text/css" href="([^"]+)" ?/>|'
    r'<link href="([^"]+)" rel="stylesheet" ?/>'
)
_DEFERRED_LINK = re.compile(r" " + re.escape(DEFERRED).replace(r"\{count\}", r"\d+"))
_DEFERRED_TAG = re.compile(r"<link [^>]*" + _DEFERRED_LINK.pattern.lstrip(" ") + r" />")
_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
# A script file that runs as it is parsed: a src, no defer or async.
_SYNCHRONOUS_SCRIPT = re.compile(
    r'<script\b(?=[^>]*\ssrc=")(?![^>]*\s(?:defer|async)(?=[\s=>]))[^>]*>'
)
_HELD = re.compile(r"<template data-course-after-paint>(.*?)</template>", re.S)
# A script file loaded with defer or async, and a script preload.
_AFTER_PAINT_SCRIPT = re.compile(
    r'<script\b(?=[^>]*\ssrc=")(?=[^>]*\s(?:defer|async)(?=[\s=>]))[^>]*></script>|'
    r'<link rel="preload" as="script"[^>]*/>'
)
# A chart's static picture (course.charts): its SVG document is built on the main thread as it
# arrives, which on a chart page came before the first paint. Lazy until after_paint.js makes it
# eager, once that paint is on screen; with JavaScript off a browser loads lazy images at once.
EAGER_AFTER_PAINT = 'loading="lazy" data-course-eager="" '
# The theme's own images (the launch menu's logos) sit in a closed menu: lazy for good.
LAZY = 'loading="lazy" data-course-lazy="" '
_CHART_IMAGE = re.compile(rf'<img (?=class="{STATIC_CLASS}")')
_THEME_IMAGE = re.compile(r'<img (?=[^>]*src="[^"]*_static/images/)(?![^>]*\bloading=)')
_MARKER = re.compile(rf'<style id="{STYLE_ID}" data-digest="([0-9a-f]+)">')
_TAGS = re.compile(r"<([a-zA-Z][\w-]*)")
_CLASSES = re.compile(r'\bclass="([^"]*)"')
_IDS = re.compile(r'\bid="([^"]*)"')
_ATTRIBUTES = re.compile(r'\s([a-zA-Z][\w:-]*)="')
_ATTRIBUTE_NAME = re.compile(r"\[\s*([a-zA-Z][\w:-]*)")
# In a selector: a compound's tag, classes and ids; brackets and pseudo-class arguments removed.
_BRACKETS = re.compile(r"\[[^\]]*\]")
_SIMPLE = re.compile(r"([.#]?)(-?[_a-zA-Z][\w-]*)|::?[\w-]+|\\.|\*")
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")
# States a page is not in when it first paints: rules for them come with the linked sheets.
_STATES = re.compile(r":(hover|focus|focus-visible|focus-within|active)\b")
# Elements and classes that the theme's scripts add, after the first paint and possibly before
# the stylesheets have arrived: fontawesome's icons as inline SVGs, the copy buttons on code
# (copybutton.js) and the toggle buttons (togglebutton.js). The inline rules style them too.
SCRIPT_TAGS = {"svg", "path", "rect", "button"}
SCRIPT_CLASSES = {
    "svg-inline--fa",
    "copybtn",
    "o-tooltip--left",
    "icon",
    "icon-tabler",
    "icon-tabler-copy",
    "icon-tabler-check",
    "toggle",
    "toggle-button",
    "toggle-button-hidden",
    "toggle-hidden",
    "toggle-details",
    "toggle-details__container",
    "toggle-details__summary",
    "toggle-details__summary-text",
    "tb-icon",
    "toggle-chevron-right",
}
# Attributes the theme's inline head script sets on <html> before the first paint.
SCRIPT_ATTRIBUTES = {"data-mode", "data-theme"}


_MODULE_DIGEST = hashlib.sha256(
    Path(__file__).read_bytes() + AFTER_PAINT.encode("utf-8")
).hexdigest()


class CriticalCSSError(ValueError):
    """A stylesheet the page links cannot be read."""


def page_names(page: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """(tags, classes, ids, attribute names) that occur in a page's HTML."""
    tags = {t.lower() for t in _TAGS.findall(page)} | SCRIPT_TAGS
    classes = {c for value in _CLASSES.findall(page) for c in value.split()} | SCRIPT_CLASSES
    ids = set(_IDS.findall(page))
    attributes = {a.lower() for a in _ATTRIBUTES.findall(page)} | SCRIPT_ATTRIBUTES
    return tags, classes, ids, attributes


def _split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside parentheses and brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_arguments(selector: str) -> str:
    """The selector without pseudo-class arguments (``:not(.x)`` becomes ``:not``)."""
    out, depth = [], 0
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def selector_can_match(selector: str, names) -> bool:
    """Whether the last compound of ``selector`` names only tags, classes and ids in ``names``,
    its attribute selectors name attributes in ``names``, and none needs a state (``:hover``)."""
    tags, classes, ids, attributes = names
    bare = _strip_arguments(selector)
    plain = _BRACKETS.sub("", bare).strip()
    if _STATES.search(plain):
        return False
    # An attribute named anywhere in the selector must occur in the page.
    if any(a.lower() not in attributes for a in _ATTRIBUTE_NAME.findall(bare)):
        return False
    compound = _COMBINATOR.split(plain)[-1] if plain else ""
    for match in _SIMPLE.finditer(compound):
        kind, name = match.group(1), match.group(2)
        if name is None:
            continue  # a pseudo-class, a pseudo-element, an escape or "*": no requirement
        if kind == "." and name not in classes:
            return False
        if kind == "#" and name not in ids:
            return False
        if not kind and name.lower() not in tags and match.start() == 0:
            return False
    return True


def _rebase(tokens, sheet: str, page: str) -> str:
    """Serialised tokens with each relative ``url()`` made relative to ``page`` (both paths are
    site-relative): inline, the rules resolve their URLs against the page, not the sheet."""

    def fix(url: str) -> str:
        if re.match(r"^[a-z]+:|^/|^#", url):
            return url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(sheet), url))
        return posixpath.relpath(target, posixpath.dirname(page) or ".")

    out: list[str] = []
    tokens = list(tokens)
    for i, token in enumerate(tokens):
        if token.type == "whitespace":
            # Minified: no space after ":", ",", ";" or before ";", ",", "!" and ends.
            after = out[-1][-1:] if out else ""
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if after in ("", ":", ",", ";") or (
                following is not None
                and following.type == "literal"
                and following.value in (";", ",", "!")
            ):
                continue
            out.append(" ")
        elif token.type == "url":
            out.append(f'url("{fix(token.value)}")')
        elif token.type == "function" and token.lower_name == "url":
            strings = [a for a in token.arguments if a.type == "string"]
            out.append(f'url("{fix(strings[0].value)}")' if strings else token.serialize())
        elif getattr(token, "content", None) is not None and token.type in (
            "() block",
            "[] block",
            "{} block",
            "function",
        ):
            inner = _rebase(
                token.arguments if token.type == "function" else token.content, sheet, page
            )
            if token.type == "function":
                out.append(f"{token.name}({inner})")
            else:
                open_, close = token.type[0], token.type[1]
                out.append(f"{open_}{inner}{close}")
        else:
            out.append(token.serialize())
    return "".join(out)


class Sheet:
    """One stylesheet of the site, parsed once: its rules in order, ``@import`` followed."""

    def __init__(self, root: Path, path: str, seen: frozenset[str] = frozenset()):
        self.path = path
        file = root / path
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CriticalCSSError(f"{file}: cannot read the stylesheet: {error}") from error
        self.digest = hashlib.sha256(text.encode()).hexdigest()
        self.rules: list = []  # (sheet path, rule) pairs, imports expanded in place
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type == "at-rule" and rule.lower_at_keyword == "import":
                target = next(t for t in rule.prelude if t.type in ("string", "url", "function"))
                url = target.value if target.type != "function" else target.arguments[0].value
                child = posixpath.normpath(posixpath.join(posixpath.dirname(path), url))
                if child in seen:
                    raise CriticalCSSError(f"{file}: @import cycle through {child}")
                imported = Sheet(root, child, seen | {path})
                self.rules.extend(imported.rules)
                self.digest += imported.digest
            elif rule.type == "error":
                raise CriticalCSSError(f"{file}:{rule.source_line}: {rule.message}")
            else:
                self.rules.append((path, rule))

    def critical(self, names, page: str) -> str:
        """The sheet's rules that can match an element named in ``names``, for ``page``."""
        return "".join(_keep(sheet, rule, names, page) for sheet, rule in self.rules)


def _keep(sheet: str, rule, names, page: str) -> str:
    if rule.type == "qualified-rule":
        prelude = tinycss2.serialize(rule.prelude).strip()
        if any(selector_can_match(s, names) for s in _split_top(prelude, ",")):
            return prelude + "{" + _rebase(rule.content, sheet, page).strip() + "}"
        return ""
    if rule.type != "at-rule":
        return ""
    keyword = rule.lower_at_keyword
    if keyword == "font-face":
        return "@font-face{" + _rebase(rule.content, sheet, page).strip() + "}"
    if keyword in ("media", "supports") and rule.content is not None:
        condition = tinycss2.serialize(rule.prelude).strip()
        if keyword == "media" and condition.lower() == "print":
            return ""  # the linked sheets apply to print from the start
        inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
        kept = "".join(_keep(sheet, r, names, page) for r in inner)
        return f"@{keyword} {condition}{{{kept}}}" if kept else ""
    return ""  # @charset, @keyframes, @page: the linked sheets bring them


def restore(page: str) -> str:
    """The page as the theme wrote it: critical CSS, fallback and deferral removed."""
    page = _HELD.sub(r"\1", page)
    page = re.sub(rf'<script id="{AFTER_PAINT_ID}">.*?</script>\n?', "", page, flags=re.S)
    page = page.replace(f"<img {LAZY}", "<img ").replace(f"<img {EAGER_AFTER_PAINT}", "<img ")
    page = re.sub(rf'<style id="{STYLE_ID}"[^>]*>.*?</style>\n?', "", page, flags=re.S)
    page = re.sub(rf'<noscript id="{FALLBACK_ID}">.*?</noscript>\n?', "", page, flags=re.S)
    page = re.sub(rf'<script id="{SWAP_ID}">.*?</script>\n?', "", page, flags=re.S)
    page = re.sub(rf'<script id="{THEME_ID}">.*?</script>\n?', "", page, flags=re.S)
    page = _DEFERRED_LINK.sub("", page)
    return re.sub(
        r'<script data-course-inlined="([^"]+)">.*?</script>',
        lambda m: f'<script src="{html_lib.unescape(m.group(1))}"></script>',
        page,
        flags=re.S,
    )


class Site:
    """The built site's stylesheets and inlined scripts, each read once."""

    def __init__(self, root: Path):
        self.root = root
        self._sheets: dict[str, Sheet] = {}
        self._scripts: dict[str, str] = {}

    def sheet(self, path: str) -> Sheet:
        if path not in self._sheets:
            self._sheets[path] = Sheet(self.root, path)
        return self._sheets[path]

    def script(self, path: str) -> str:
        if path not in self._scripts:
            self._scripts[path] = (self.root / path).read_text(encoding="utf-8")
        return self._scripts[path]


def _site_path(page: str, href: str) -> str | None:
    """``href`` (relative to ``page``, query dropped) as a site path, or None when external."""
    href = href.split("?", 1)[0]
    if re.match(r"^[a-z]+:|^/", href):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


def process(page_html: str, page: str, site: Site) -> str:
    """``page_html`` (site path ``page``) with critical CSS inline and its sheets deferred.

    Idempotent: a page already processed against the same sheets is returned unchanged; one
    processed against other sheets is restored first.
    """
    links = [(m.group(0), m.group(1) or m.group(2)) for m in _LINK.finditer(restore(page_html))]
    sheets = [(tag, site.sheet(p)) for tag, href in links if (p := _site_path(page, href))]
    if not sheets:
        return page_html
    # The digest covers this module too: a change to how pages are processed redoes them.
    key = "".join(s.digest for _, s in sheets) + _MODULE_DIGEST
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    found = _MARKER.search(page_html)
    if found and found.group(1) == digest:
        return page_html
    page_html = restore(page_html)
    names = page_names(page_html)
    css = "".join(sheet.critical(names, page) for _, sheet in sheets)
    first = page_html.index(sheets[0][0])
    attributes = DEFERRED.format(count=len(sheets))
    for tag, _ in sheets:
        deferred = tag.replace(" />", "/>").replace("/>", f" {attributes} />")
        page_html = page_html.replace(tag, deferred, 1)
    style = f'<style id="{STYLE_ID}" data-digest="{digest}">{css}</style>\n'
    fallback = f'<noscript id="{FALLBACK_ID}">{"".join(tag for tag, _ in sheets)}</noscript>\n'
    page_html = page_html[:first] + style + fallback + SWAP + THEME + page_html[first:]
    return _after_paint(_inline_scripts(page_html, page, site))


def _hold(match: re.Match) -> str:
    return HELD.format(match.group(0))


def _after_paint(page_html: str) -> str:
    """The stylesheet links and script files held until the first paint is on screen."""
    if "<body" not in page_html or "</body>" not in page_html:
        return page_html  # nowhere to put the script that releases them
    head, body = page_html.split("<body", 1)
    head = _DEFERRED_TAG.sub(_hold, head)
    # A script file that runs as it is parsed (the search page's searchtools.js) may use what
    # the deferred ones define by DOMContentLoaded (sphinx_highlight.js): there they stay.
    if not _SYNCHRONOUS_SCRIPT.search(page_html):
        head, body = _AFTER_PAINT_SCRIPT.sub(_hold, head), _AFTER_PAINT_SCRIPT.sub(_hold, body)
    body = _THEME_IMAGE.sub(f"<img {LAZY}", body)
    body = _CHART_IMAGE.sub(f"<img {EAGER_AFTER_PAINT}", body)
    body = body.replace("</body>", AFTER_PAINT + "</body>", 1)
    return head + "<body" + body


def _inline_scripts(page_html: str, page: str, site: Site) -> str:
    def inline(match: re.Match) -> str:
        path = _site_path(page, match.group(1))
        if path not in INLINE_SCRIPTS:
            return match.group(0)
        code = site.script(path).replace("</script", "<\\/script")
        return f'<script data-course-inlined="{html_lib.escape(match.group(1))}">{code}</script>'

    return _SCRIPT.sub(inline, page_html)


def process_site(root: Path, pages: Iterable[Path]) -> int:
    """Process each HTML file in ``pages`` (under ``root``); the number changed."""
    site, changed = Site(root), 0
    for file in pages:
        text = file.read_text(encoding="utf-8")
        new = process(text, file.relative_to(root).as_posix(), site)
        if new != text:
            file.write_text(new, encoding="utf-8")
            changed += 1
    return changed
