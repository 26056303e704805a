#!/usr/bin/env python3
"""List the public items of the core crate (src/) whose documentation shows no example.

Every public fn, struct, enum, trait, type alias, const and static of a public module needs a doc
comment with a code block (```` ``` ```` or ```` ```rust ````; ``text``/``ignore`` blocks do not
count). A method or associated const may instead be called by an example on its type or on another
item of the same type's impls in that file (rustdoc shows them on one page); a module-level const by
an example anywhere in its file. Items of private modules count only when re-exported by name.

Entries of scripts/doc_examples_allowlist.txt (`#` comments) are skipped: a file path or a
folder ending in `/` (files being rewritten, which get their examples with the rewrite), or
`path::Item` for one item that cannot show an example (say why in the comment). Exit status 1 when anything is missing.

Run from the repository root: ``python3 scripts/check_doc_examples.py`` (``make rust-docs`` runs it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
ALLOWLIST = Path(__file__).resolve().parent / "doc_examples_allowlist.txt"

ITEM = re.compile(
    r"^\s*pub\s+(?:(?:const|async|unsafe|extern\s+\"C\")\s+)*(fn|struct|enum|trait|type|const|static|union)\s+([A-Za-z_][A-Za-z0-9_]*)"
)
MOD_DECL = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*;")
PUB_USE = re.compile(r"^\s*pub\s+use\s+([^;]+);", re.S)
FENCE = re.compile(r"^\s*```(.*)$")
NOT_RUST = {"text", "ignore", "sh", "bash", "console", "toml", "json", "python", "csv", "compile_fail"}


@dataclass
class Item:
    path: Path
    line: int
    kind: str
    name: str
    owner: str | None  # the type of the enclosing inherent impl, None at module level
    docs: list[str]

    def examples(self) -> list[str]:
        """The code of the doc comment's Rust code blocks, one string per block."""
        return code_blocks(self.docs)

    @property
    def documented(self) -> bool:
        return any(d.strip() for d in self.docs)


@dataclass
class FileScan:
    items: list[Item] = field(default_factory=list)
    module_examples: list[str] = field(default_factory=list)  # `//!` code blocks
    private_inline: set[str] = field(default_factory=set)


def code_blocks(doc_lines: list[str]) -> list[str]:
    blocks, cur, lang = [], None, ""
    for d in doc_lines:
        m = FENCE.match(d)
        if m and cur is None:
            lang = m.group(1).strip().split(",")
            cur = []
        elif m and cur is not None:
            if not NOT_RUST.intersection(x.strip() for x in lang):
                blocks.append("\n".join(cur))
            cur = None
        elif cur is not None:
            cur.append(d)
    return blocks


def strip_code(text: str) -> str:
    """Blank out comments, strings and char literals (keeping newlines) so braces can be counted."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:])) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i : j + 1]))
            i = j + 1
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:  # a char literal; otherwise a lifetime
                out.append(" " * m.end())
                i += m.end()
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def impl_owner(header: str) -> tuple[str, bool] | None:
    """(type name, is a trait impl) of an `impl` block header, or None if not an impl."""
    h = re.sub(r"\s+", " ", header).strip()
    h = re.sub(r"^(unsafe )?impl", "impl", h)
    if not h.startswith("impl"):
        return None
    h = h[4:]
    if h.startswith("<"):  # skip the generics
        depth = 0
        for k, ch in enumerate(h):
            depth += ch == "<"
            depth -= ch == ">"
            if depth == 0:
                h = h[k + 1 :]
                break
    h = h.split(" where ")[0]
    trait = " for " in f" {h} "
    target = h.split(" for ")[-1].strip()
    name = re.match(r"[&\s]*(?:mut\s+)?(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)", target)
    return (name.group(1) if name else target, trait)


def scan(path: Path) -> FileScan:
    text = path.read_text()
    lines = text.split("\n")
    code = strip_code(text).split("\n")
    res = FileScan()
    res.module_examples = code_blocks([ln.strip()[3:] for ln in lines if ln.strip().startswith("//!")])
    # Block stack: entries (kind, name, public); kinds "mod", "impl", "trait_impl", "other".
    stack: list[tuple[str, str, bool]] = []
    header = ""
    cfg_test = False
    for no, (raw, cl) in enumerate(zip(lines, code), start=1):
        inside_ok = all(k in ("mod", "impl") and pub for k, _, pub in stack)
        m = ITEM.match(raw)
        if m and inside_ok and not raw.lstrip().startswith("pub("):
            owner = stack[-1][1] if stack and stack[-1][0] == "impl" else None
            res.items.append(Item(path, no, m.group(1), m.group(2), owner, doc_above(lines, no - 1)))
        if re.match(r"^\s*pub\s+mod\s+\w+\s*\{", raw):  # an inline module's examples count for its consts
            res.module_examples += code_blocks(doc_above(lines, no - 1))
        if "#[cfg(test)]" in raw:
            cfg_test = True
        for ch in cl:
            if ch == "{":
                h = re.sub(r"#\[[^\]]*\]", " ", header).strip()
                mm = re.search(r"(?:^|\s)(pub(?:\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*$", h)
                io = impl_owner(h) if re.match(r"^(unsafe\s+)?impl\b", h) else None
                if mm:
                    public = bool(mm.group(1)) and "(" not in (mm.group(1) or "") and not cfg_test
                    stack.append(("mod", mm.group(2), public))
                    if not public:
                        res.private_inline.add(mm.group(2))
                elif io:
                    stack.append(("trait_impl" if io[1] else "impl", io[0], not io[1]))
                else:
                    stack.append(("other", "", False))
                header, cfg_test = "", False
            elif ch == "}":
                if stack:
                    stack.pop()
                header = ""
            elif ch == ";":
                header, cfg_test = "", False
            else:
                header += ch
        header += " "
    return res


def doc_above(lines: list[str], idx: int) -> list[str]:
    """The `///` lines above line index idx, skipping attributes (one or several lines)."""
    docs, k = [], idx - 1
    while k >= 0:
        s = lines[k].strip()
        if s.startswith("///"):
            docs.append(s[3:][1:] if s[3:].startswith(" ") else s[3:])
        elif s.startswith("#[") or s.startswith(")]") or s.endswith(")]") or s.startswith("//") and not s.startswith("///"):
            pass
        else:
            break
        k -= 1
    return docs[::-1]


def module_files() -> dict[Path, bool]:
    """Every .rs file of the crate's module tree, with whether its module path is public."""
    out: dict[Path, bool] = {}

    def walk(f: Path, public: bool) -> None:
        out[f] = public
        base = f.parent if f.name in ("lib.rs", "mod.rs") else f.parent / f.stem
        for ln in f.read_text().split("\n"):
            m = MOD_DECL.match(ln)
            if not m:
                continue
            vis, name = m.group(1), m.group(2)
            child = base / f"{name}.rs"
            if not child.exists():
                child = base / name / "mod.rs"
            if child.exists():
                walk(child, public and bool(vis) and "(" not in vis)

    walk(SRC / "lib.rs", True)
    return out


def reexported_names(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for f in files:
        for m in PUB_USE.finditer(f.read_text()):
            names.update(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:[,}]|$)", m.group(1).strip()))
    return names


def mentions(name: str, blocks: list[str]) -> bool:
    pat = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
    return any(pat.search(b) for b in blocks)


def missing(files: dict[Path, bool], allow: set[str]) -> tuple[list[str], int]:
    """The problems, and how many files were checked."""
    reexported = reexported_names(list(files))
    scans = {f: scan(f) for f in files}
    # Methods count only on public types (a `pub fn` of a private type's impl is not API).
    public_types = {
        it.name
        for f, s in scans.items()
        for it in s.items
        if it.owner is None and it.kind in ("struct", "enum", "union", "type") and (files[f] or it.name in reexported)
    }
    problems: list[str] = []
    checked = 0
    for f, public in sorted(files.items()):
        rel = f.relative_to(ROOT).as_posix()
        if rel in allow or any(a.endswith("/") and rel.startswith(a) for a in allow):
            continue
        checked += 1
        skip_items = {a.split("::", 1)[1] for a in allow if a.startswith(rel + "::")}
        s = scans[f]
        file_blocks = s.module_examples + [b for it in s.items for b in it.examples()]
        for it in s.items:
            if not public and it.name not in reexported and it.owner not in reexported:
                continue
            if it.name in skip_items or f"{it.owner}::{it.name}" in skip_items:
                continue
            if it.owner is not None and it.owner not in public_types:
                continue
            if not it.documented:
                problems.append(f"{rel}:{it.line}: {it.kind} {it.name}: no doc comment")
                continue
            if it.examples():
                continue
            if it.owner is not None:
                same_type = [b for o in s.items if o.owner == it.owner or o.name == it.owner for b in o.examples()]
                if mentions(it.name, same_type):
                    continue
                where = f"on {it.owner} or its methods"
            else:
                if it.kind in ("const", "static") and mentions(it.name, file_blocks):
                    continue
                where = "in its doc comment"
            problems.append(f"{rel}:{it.line}: {it.kind} {it.name}: no example {where}")
    return problems, checked


def main() -> int:
    allow = set()
    if ALLOWLIST.exists():
        for ln in ALLOWLIST.read_text().split("\n"):
            ln = ln.split("#")[0].strip()
            if ln:
                if not ln.endswith("/") and not (ROOT / ln.split("::")[0]).exists():
                    print(f"{ALLOWLIST.name}: {ln} does not exist; remove it", file=sys.stderr)
                    return 1
                allow.add(ln)
    files = module_files()
    problems, checked = missing(files, allow)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} public items without an example (see scripts/check_doc_examples.py)", file=sys.stderr)
        return 1
    print(f"every public item in {checked} files of src/ shows an example ({len(files) - checked} files allowlisted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
