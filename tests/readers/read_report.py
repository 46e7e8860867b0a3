#!/usr/bin/env python3
"""An independent reader for Earmark's HTML review report, used by src/report/html.rs's tests.

Why a second implementation: the report is written by a Rust template engine; whether what it
wrote is safe must be judged by a parser that shares none of its code. This one is Python's
html.parser (standard library), which tokenises the page the way a browser's tokeniser does
for these purposes: a `<script>` that survived escaping would come out as a script element, an
`onerror=` as an attribute, and `&lt;` comes back as `<`.

  read_report.py FILE

Prints the page as a JSON tree: an element is {"tag", "attrs", "children"}, a text node is a
string (character references already decoded). Void elements (br, img, meta, col, ...) have
no children.
"""

import json
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = {"tag": "#document", "attrs": {}, "children": []}
        self.stack = [self.root]
        self.problems = []

    def handle_decl(self, decl):
        self.stack[-1]["children"].append({"tag": "!" + decl, "attrs": {}, "children": []})

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"<{tag}> repeats an attribute: {names}")
        element = {"tag": tag, "attrs": {n: (v or "") for n, v in attrs}, "children": []}
        self.stack[-1]["children"].append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack[-1]["tag"] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1]['tag']}>")
            # Recover as a browser would: close up to the matching element, if open.
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i]["tag"] == tag:
                    del self.stack[i:]
                    return
            return
        self.stack.pop()

    def handle_data(self, data):
        children = self.stack[-1]["children"]
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    tree = Tree()
    tree.feed(text)
    tree.close()
    if len(tree.stack) != 1:
        tree.problems.append("unclosed: " + ", ".join(e["tag"] for e in tree.stack[1:]))
    json.dump({"tree": tree.root, "problems": tree.problems}, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
